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

    /// Scales the shorter side to `size`, keeping at most `maxLongerSide` of the longer side
    /// (its centre), with the longer side's excess over `size` even.
    public static func resizeShorterSide(_ image: RGBImage, to size: Int, maxLongerSide: Int) -> RGBImage {
        let w = Double(image.width), h = Double(image.height)
        let scale = Double(size) / min(w, h)
        let landscape = image.width >= image.height
        let longer = max(w, h)
        var kept = min(maxLongerSide, max(size, Int((longer * scale).rounded())))
        // An even margin puts the validation centre crop on whole pixels.
        if (kept - size) % 2 != 0 { kept -= 1 }
        let keptSource = min(longer, Double(kept) / scale)
        let offset = (longer - keptSource) / 2
        if landscape {
            return resample(image, box: (offset, 0, offset + keptSource, h), width: kept, height: size)
        }
        return resample(image, box: (0, offset, w, offset + keptSource), width: size, height: kept)
    }

    /// Resamples the source rectangle `box` (x0, y0, x1, y1 in pixel-edge coordinates) to `width` × `height`.
    public static func resample(_ image: RGBImage, box: (Double, Double, Double, Double), width: Int, height: Int) -> RGBImage {
        let horizontal = Filter(inputSize: image.width, start: box.0, end: box.2, outputSize: width)
        let vertical = Filter(inputSize: image.height, start: box.1, end: box.3, outputSize: height)
        // Only the rows the vertical pass reads are resampled horizontally.
        let firstRow = vertical.first.min() ?? 0
        let lastRow = zip(vertical.first, vertical.count).map { $0 + $1 }.max() ?? 0
        let middle = resampleRows(image, horizontal, width: width, firstRow: firstRow, lastRow: lastRow)
        let pixels = resampleColumns(middle, vertical, firstRow: firstRow, width: width, height: height)
        return RGBImage(width: width, height: height, pixels: pixels)
    }

    /// The horizontal pass: source rows `firstRow..<lastRow` filtered to `width` pixels, as Float RGB.
    private static func resampleRows(_ image: RGBImage, _ horizontal: Filter, width: Int, firstRow: Int,
                                     lastRow: Int) -> [Float] {
        let rowStride = width * 3
        var middle = [Float](repeating: 0, count: max(0, lastRow - firstRow) * rowStride)
        image.pixels.withUnsafeBufferPointer { sourceBuffer in
            middle.withUnsafeMutableBufferPointer { targetBuffer in
                horizontal.weights.withUnsafeBufferPointer { weightBuffer in
                    guard let source = sourceBuffer.baseAddress, let target = targetBuffer.baseAddress,
                          let weights = weightBuffer.baseAddress else { return }
                    for y in firstRow..<lastRow {
                        let row = source + y * image.width * 3
                        let out = target + (y - firstRow) * rowStride
                        for x in 0..<width {
                            let taps = weights + x * horizontal.taps
                            var pixel = row + horizontal.first[x] * 3
                            var r: Float = 0, g: Float = 0, b: Float = 0
                            for k in 0..<horizontal.count[x] {
                                let weight = taps[k]
                                r += weight * Float(pixel[0])
                                g += weight * Float(pixel[1])
                                b += weight * Float(pixel[2])
                                pixel += 3
                            }
                            out[3 * x] = r
                            out[3 * x + 1] = g
                            out[3 * x + 2] = b
                        }
                    }
                }
            }
        }
        return middle
    }

    /// The vertical pass over the rows `resampleRows` made (the first being source row `firstRow`),
    /// rounded to bytes.
    private static func resampleColumns(_ middle: [Float], _ vertical: Filter, firstRow: Int, width: Int,
                                        height: Int) -> [UInt8] {
        let rowStride = width * 3
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        middle.withUnsafeBufferPointer { sourceBuffer in
            pixels.withUnsafeMutableBufferPointer { targetBuffer in
                guard let source = sourceBuffer.baseAddress, let target = targetBuffer.baseAddress else { return }
                // A raw buffer, not an array, so the row loops vectorise.
                let accumulator = UnsafeMutablePointer<Float>.allocate(capacity: rowStride)
                defer { accumulator.deallocate() }
                for y in 0..<height {
                    accumulator.initialize(repeating: 0, count: rowStride)
                    for k in 0..<vertical.count[y] {
                        let weight = vertical.weights[y * vertical.taps + k]
                        let row = source + (vertical.first[y] + k - firstRow) * rowStride
                        for i in 0..<rowStride { accumulator[i] += weight * row[i] }
                    }
                    let out = target + y * rowStride
                    for i in 0..<rowStride { out[i] = UInt8(max(0, min(255, accumulator[i] + 0.5))) }
                }
            }
        }
        return pixels
    }

    /// For each output pixel, the run of input pixels under its triangle filter and their
    /// normalised weights, stored flat with `taps` slots per output pixel.
    struct Filter {
        var first: [Int]
        var count: [Int]
        var weights: [Float]
        var taps: Int

        init(inputSize: Int, start: Double, end: Double, outputSize: Int) {
            let scale = (end - start) / Double(outputSize)
            let support = max(scale, 1)
            taps = Int((2 * support).rounded(.up)) + 2
            first = []
            count = []
            weights = [Float](repeating: 0, count: outputSize * taps)
            for x in 0..<outputSize {
                let centre = start + (Double(x) + 0.5) * scale
                var low = max(0, Int((centre - support).rounded(.down)))
                var high = min(inputSize, Int((centre + support).rounded(.up)))
                var values: [Double] = []
                if low < high {
                    for i in low..<high { values.append(max(0, 1 - abs((Double(i) + 0.5 - centre) / support))) }
                }
                var total = values.reduce(0, +)
                if total == 0 {
                    // A box entirely outside the image: take the nearest pixel.
                    low = min(max(0, Int(centre)), inputSize - 1)
                    high = low + 1
                    values = [1]
                    total = 1
                }
                first.append(low)
                count.append(values.count)
                for (k, value) in values.enumerated() { weights[x * taps + k] = Float(value / total) }
            }
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
