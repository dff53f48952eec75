// AffineResampler: one bilinear pass from an RGBImage through a Homography into normalised Float CHW (3, S, S).

/// Output pixel centres are mapped to [-1, 1] coordinates (grid_sample with align_corners=False),
/// through the homography, then onto `window` of the source in pixels; all augmentations compose
/// into that one map, so each output value is interpolated once.
public enum AffineResampler {
    /// `window` is (x0, y0, width, height) of the source, in pixel-edge coordinates, that [-1, 1] covers.
    /// `tables` are the per-channel byte → value lookups (lighting + normalisation).
    public static func resample(_ image: RGBImage, homography: Homography, window: (Double, Double, Double, Double),
                                outputSize size: Int, padding: ResizeMethod.Padding, tables: [[Float]],
                                into output: UnsafeMutablePointer<Float>) {
        let plane = size * size
        let m = homography.m
        let (m0, m1, m2, m3, m4, m5, m6, m7, m8) = (m[0], m[1], m[2], m[3], m[4], m[5], m[6], m[7], m[8])
        let normalised = (0..<size).map { (2 * Double($0) + 1) / Double(size) - 1 }
        let flat = tables[0] + tables[1] + tables[2]
        image.pixels.withUnsafeBufferPointer { pixelBuffer in
            flat.withUnsafeBufferPointer { tableBuffer in
                guard let pixels = pixelBuffer.baseAddress, let table = tableBuffer.baseAddress else { return }
                let source = BilinearSource(pixels: pixels, width: image.width, height: image.height, table: table,
                                            padding: padding)
                for oy in 0..<size {
                    let ny = normalised[oy]
                    for ox in 0..<size {
                        let nx = normalised[ox]
                        let q = 1 / (m6 * nx + m7 * ny + m8)
                        let sx = (m0 * nx + m1 * ny + m2) * q
                        let sy = (m3 * nx + m4 * ny + m5) * q
                        let value = source.sample(window.0 + (sx + 1) / 2 * window.2 - 0.5,
                                                  window.1 + (sy + 1) / 2 * window.3 - 0.5)
                        let o = oy * size + ox
                        output[o] = value.r
                        output[plane + o] = value.g
                        output[2 * plane + o] = value.b
                    }
                }
            }
        }
    }

    /// torch's reflection padding for align_corners=False: mirror about the outer pixel edges.
    static func reflect(_ p: Double, _ n: Int) -> Double {
        let span = Double(n)
        let period = 2 * span
        var c = (p + 0.5).truncatingRemainder(dividingBy: period)
        if c < 0 { c += period }
        if c > span { c = period - c }
        return min(max(c - 0.5, 0), span - 1)
    }
}

/// An image and its per-channel lookup tables (`table` holds red, green and blue, 256 values each), read
/// at fractional pixel positions.
private struct BilinearSource {
    let pixels: UnsafePointer<UInt8>
    let width: Int
    let height: Int
    let red: UnsafePointer<Float>
    let green: UnsafePointer<Float>
    let blue: UnsafePointer<Float>
    let padding: ResizeMethod.Padding

    init(pixels: UnsafePointer<UInt8>, width: Int, height: Int, table: UnsafePointer<Float>,
         padding: ResizeMethod.Padding) {
        self.pixels = pixels
        self.width = width
        self.height = height
        red = table
        green = table + 256
        blue = table + 512
        self.padding = padding
    }

    /// The tables' values at (px, py), pixel centres at whole numbers, interpolated from the four pixels around it.
    @inline(__always)
    func sample(_ x: Double, _ y: Double) -> (r: Float, g: Float, b: Float) {
        let w = width, h = height
        var px = x, py = y
        if padding == .reflection && (px < -0.5 || py < -0.5 || px > Double(w) - 0.5 || py > Double(h) - 0.5) {
            px = AffineResampler.reflect(px, w)
            py = AffineResampler.reflect(py, h)
        }
        let xf = px.rounded(.down), yf = py.rounded(.down)
        let x0 = Int(xf), y0 = Int(yf)
        let fx = Float(px - xf), fy = Float(py - yf)
        let w00 = (1 - fx) * (1 - fy), w01 = fx * (1 - fy), w10 = (1 - fx) * fy, w11 = fx * fy
        guard x0 >= 0 && y0 >= 0 && x0 + 1 < w && y0 + 1 < h else { return border(x0, y0, (w00, w01, w10, w11)) }
        let p00 = pixels + 3 * (y0 * w + x0), p01 = p00 + 3, p10 = p00 + 3 * w, p11 = p10 + 3
        return (w00 * red[Int(p00[0])] + w01 * red[Int(p01[0])] + w10 * red[Int(p10[0])] + w11 * red[Int(p11[0])],
                w00 * green[Int(p00[1])] + w01 * green[Int(p01[1])] + w10 * green[Int(p10[1])] + w11 * green[Int(p11[1])],
                w00 * blue[Int(p00[2])] + w01 * blue[Int(p01[2])] + w10 * blue[Int(p10[2])] + w11 * blue[Int(p11[2])])
    }

    /// At the border some taps fall outside: reflection repeats the edge pixel, zeros reads black.
    private func border(_ x0: Int, _ y0: Int, _ weights: (Float, Float, Float, Float)) -> (r: Float, g: Float, b: Float) {
        let w = width, h = height
        var r: Float = 0, g: Float = 0, b: Float = 0
        for (tx, ty, weight) in [(x0, y0, weights.0), (x0 + 1, y0, weights.1), (x0, y0 + 1, weights.2),
                                 (x0 + 1, y0 + 1, weights.3)] {
            let inside = tx >= 0 && tx < w && ty >= 0 && ty < h
            if inside || padding == .reflection {
                let s = pixels + 3 * (min(max(ty, 0), h - 1) * w + min(max(tx, 0), w - 1))
                r += weight * red[Int(s[0])]
                g += weight * green[Int(s[1])]
                b += weight * blue[Int(s[2])]
            } else {
                r += weight * red[0]
                g += weight * green[0]
                b += weight * blue[0]
            }
        }
        return (r, g, b)
    }
}
