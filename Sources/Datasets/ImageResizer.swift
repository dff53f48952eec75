// ImageResizer: the deterministic pre-augmentation resize of an RGBImage to size × size (crop | squish | pad), antialiased.

/// Separable triangle filter whose support widens with the downscale factor, as PIL's bilinear
/// `resize` does, so shrinking a photo averages its pixels instead of aliasing them.
public enum ImageResizer {
    public static func resize(_ image: RGBImage, to size: Int, method: ResizeMethod) -> RGBImage {
        precondition(size > 0 && image.width > 0 && image.height > 0, "cannot resize \(image.width)×\(image.height) to \(size)")
        let w = Double(image.width), h = Double(image.height)
        switch method {
        case .squish:
            return resample(image, box: (0, 0, w, h), width: size, height: size)
        case .crop:
            let side = min(w, h)
            let box = ((w - side) / 2, (h - side) / 2, (w + side) / 2, (h + side) / 2)
            return resample(image, box: box, width: size, height: size)
        case .pad(let padding):
            let scale = Double(size) / max(w, h)
            let contentWidth = max(1, min(size, Int((w * scale).rounded())))
            let contentHeight = max(1, min(size, Int((h * scale).rounded())))
            let content = resample(image, box: (0, 0, w, h), width: contentWidth, height: contentHeight)
            return pad(content, to: size, padding: padding)
        }
    }

    /// Resamples the source rectangle `box` (x0, y0, x1, y1 in pixel-edge coordinates) to `width` × `height`.
    public static func resample(_ image: RGBImage, box: (Double, Double, Double, Double), width: Int, height: Int) -> RGBImage {
        let horizontal = weights(inputSize: image.width, start: box.0, end: box.2, outputSize: width)
        let vertical = weights(inputSize: image.height, start: box.1, end: box.3, outputSize: height)
        // Rows of the intermediate image that the vertical pass needs, horizontally resampled.
        var rowsNeeded = [Bool](repeating: false, count: image.height)
        for taps in vertical { for tap in taps.indices { rowsNeeded[taps.first + tap] = true } }
        var middle = [Float](repeating: 0, count: image.height * width * 3)
        image.pixels.withUnsafeBufferPointer { source in
            middle.withUnsafeMutableBufferPointer { target in
                for y in 0..<image.height where rowsNeeded[y] {
                    let row = y * image.width * 3
                    for x in 0..<width {
                        let taps = horizontal[x]
                        var r: Float = 0, g: Float = 0, b: Float = 0
                        for (k, weight) in taps.weights.enumerated() {
                            let s = row + (taps.first + k) * 3
                            r += weight * Float(source[s])
                            g += weight * Float(source[s + 1])
                            b += weight * Float(source[s + 2])
                        }
                        let t = (y * width + x) * 3
                        target[t] = r
                        target[t + 1] = g
                        target[t + 2] = b
                    }
                }
            }
        }
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        middle.withUnsafeBufferPointer { source in
            pixels.withUnsafeMutableBufferPointer { target in
                for y in 0..<height {
                    let taps = vertical[y]
                    for x in 0..<(width * 3) {
                        var value: Float = 0
                        for (k, weight) in taps.weights.enumerated() {
                            value += weight * source[(taps.first + k) * width * 3 + x]
                        }
                        target[y * width * 3 + x] = UInt8(max(0, min(255, value.rounded())))
                    }
                }
            }
        }
        return RGBImage(width: width, height: height, pixels: pixels)
    }

    struct Taps {
        var first: Int
        var weights: [Float]
        var indices: Range<Int> { 0..<weights.count }
    }

    /// For each output pixel, the input pixels under its triangle filter and their normalised weights.
    static func weights(inputSize: Int, start: Double, end: Double, outputSize: Int) -> [Taps] {
        let scale = (end - start) / Double(outputSize)
        let support = max(scale, 1)
        return (0..<outputSize).map { x in
            let centre = start + (Double(x) + 0.5) * scale
            let low = max(0, Int((centre - support).rounded(.down)))
            let high = min(inputSize, Int((centre + support).rounded(.up)))
            var weights: [Double] = []
            for i in low..<max(low + 1, high) {
                weights.append(max(0, 1 - abs((Double(i) + 0.5 - centre) / support)))
            }
            var total = weights.reduce(0, +)
            if total == 0 {
                // A box entirely outside the image: take the nearest pixel.
                weights = [1]
                total = 1
            }
            return Taps(first: min(low, inputSize - 1), weights: weights.map { Float($0 / total) })
        }
    }

    /// Centres `content` in a size × size square; reflection mirrors the content about its edges
    /// (torch's `reflection` padding), zeros leaves black.
    static func pad(_ content: RGBImage, to size: Int, padding: ResizeMethod.Padding) -> RGBImage {
        let left = (size - content.width) / 2, top = (size - content.height) / 2
        var result = RGBImage(width: size, height: size)
        for y in 0..<size {
            for x in 0..<size {
                var sx = x - left, sy = y - top
                let inside = sx >= 0 && sx < content.width && sy >= 0 && sy < content.height
                if !inside {
                    if padding == .zeros { continue }
                    sx = reflect(sx, content.width)
                    sy = reflect(sy, content.height)
                }
                result[x, y] = content[sx, sy]
            }
        }
        return result
    }

    /// Mirror an index about the pixel edges: -1 → 0, n → n-1, repeating as often as needed.
    static func reflect(_ i: Int, _ n: Int) -> Int {
        let period = 2 * n
        var m = i % period
        if m < 0 { m += period }
        return m < n ? m : period - 1 - m
    }
}
