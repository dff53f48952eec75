// ExifOrientation: the eight EXIF orientations (1–8) and the pixel transform that displays a stored image upright.

/// Cameras store pixels as the sensor saw them and record how to turn them in the Exif IFD0
/// Orientation tag; PIL-based pipelines (fastai's `open_image` with `exif_transpose`) show them
/// upright, so the decoder does too.
public enum ExifOrientation: Int, Sendable, CaseIterable {
    case normal = 1
    case mirrored = 2
    case rotated180 = 3
    case flippedVertically = 4
    case transposed = 5
    case rotated90Clockwise = 6
    case transverse = 7
    case rotated90CounterClockwise = 8

    /// Orientations 5–8 exchange width and height.
    public var swapsAxes: Bool { rawValue >= 5 }

    /// The upright image; the stored image is `image`.
    public func apply(to image: RGBImage) -> RGBImage {
        if self == .normal { return image }
        let w = image.width, h = image.height
        let outWidth = swapsAxes ? h : w
        let outHeight = swapsAxes ? w : h
        var pixels = [UInt8](repeating: 0, count: outWidth * outHeight * 3)
        image.pixels.withUnsafeBufferPointer { source in
            pixels.withUnsafeMutableBufferPointer { target in
                for oy in 0..<outHeight {
                    for ox in 0..<outWidth {
                        let (ix, iy) = sourcePosition(ox, oy, width: w, height: h)
                        let s = 3 * (iy * w + ix), t = 3 * (oy * outWidth + ox)
                        target[t] = source[s]
                        target[t + 1] = source[s + 1]
                        target[t + 2] = source[s + 2]
                    }
                }
            }
        }
        return RGBImage(width: outWidth, height: outHeight, pixels: pixels)
    }

    /// Where the upright pixel (ox, oy) lives in the stored `width` × `height` image.
    func sourcePosition(_ ox: Int, _ oy: Int, width w: Int, height h: Int) -> (Int, Int) {
        switch self {
        case .normal: return (ox, oy)
        case .mirrored: return (w - 1 - ox, oy)
        case .rotated180: return (w - 1 - ox, h - 1 - oy)
        case .flippedVertically: return (ox, h - 1 - oy)
        case .transposed: return (oy, ox)
        case .rotated90Clockwise: return (oy, h - 1 - ox)
        case .transverse: return (w - 1 - oy, h - 1 - ox)
        case .rotated90CounterClockwise: return (w - 1 - oy, ox)
        }
    }
}
