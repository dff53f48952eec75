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
        let w = image.width, h = image.height
        let m = homography.m
        let flat = tables[0] + tables[1] + tables[2]
        image.pixels.withUnsafeBufferPointer { pixelBuffer in
            flat.withUnsafeBufferPointer { tableBuffer in
                guard let pixels = pixelBuffer.baseAddress, let table = tableBuffer.baseAddress else { return }
                let black = (table[0], table[256], table[512])
                for oy in 0..<size {
                    let ny = (2 * Double(oy) + 1) / Double(size) - 1
                    for ox in 0..<size {
                        let nx = (2 * Double(ox) + 1) / Double(size) - 1
                        let q = 1 / (m[6] * nx + m[7] * ny + m[8])
                        let sx = (m[0] * nx + m[1] * ny + m[2]) * q
                        let sy = (m[3] * nx + m[4] * ny + m[5]) * q
                        var px = window.0 + (sx + 1) / 2 * window.2 - 0.5
                        var py = window.1 + (sy + 1) / 2 * window.3 - 0.5
                        if padding == .reflection && (px < -0.5 || py < -0.5 || px > Double(w) - 0.5 || py > Double(h) - 0.5) {
                            px = reflect(px, w)
                            py = reflect(py, h)
                        }
                        let x0 = Int(px.rounded(.down)), y0 = Int(py.rounded(.down))
                        let fx = Float(px - Double(x0)), fy = Float(py - Double(y0))
                        var r: Float = 0, g: Float = 0, b: Float = 0
                        @inline(__always) func tap(_ tx: Int, _ ty: Int, _ weight: Float) {
                            guard weight != 0 else { return }
                            if tx >= 0 && tx < w && ty >= 0 && ty < h {
                                let s = pixels + 3 * (ty * w + tx)
                                r += weight * table[Int(s[0])]
                                g += weight * table[256 + Int(s[1])]
                                b += weight * table[512 + Int(s[2])]
                            } else if padding == .reflection {
                                // Bilinear taps just past an edge repeat the edge pixel.
                                let s = pixels + 3 * (min(max(ty, 0), h - 1) * w + min(max(tx, 0), w - 1))
                                r += weight * table[Int(s[0])]
                                g += weight * table[256 + Int(s[1])]
                                b += weight * table[512 + Int(s[2])]
                            } else {
                                r += weight * black.0
                                g += weight * black.1
                                b += weight * black.2
                            }
                        }
                        tap(x0, y0, (1 - fx) * (1 - fy))
                        tap(x0 + 1, y0, fx * (1 - fy))
                        tap(x0, y0 + 1, (1 - fx) * fy)
                        tap(x0 + 1, y0 + 1, fx * fy)
                        let o = oy * size + ox
                        output[o] = r
                        output[plane + o] = g
                        output[2 * plane + o] = b
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
