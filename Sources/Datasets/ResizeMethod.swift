// ResizeMethod: how an image of any aspect ratio becomes size × size before augmentation (fastai ResizeMethod).

public enum ResizeMethod: Equatable, Hashable, Sendable {
    public enum Padding: String, Equatable, Hashable, Sendable {
        case reflection, zeros
    }

    /// Scale the shorter side to the size, then take the centre square.
    case crop
    /// Scale each side to the size independently, distorting the aspect ratio.
    case squish
    /// Scale the longer side to the size and fill the rest of the square.
    case pad(Padding)

    /// The smallest decode that still covers the output, so JPEGs can decode at a reduced DCT scale.
    public func decodeHint(size: Int) -> ImageDecoder.SizeHint {
        switch self {
        case .crop, .squish: return .shorterSide(atLeast: size)
        case .pad: return .longerSide(atLeast: size)
        }
    }

    /// A stable name for cache keys and logs.
    public var name: String {
        switch self {
        case .crop: return "crop"
        case .squish: return "squish"
        case .pad(let padding): return "pad-\(padding.rawValue)"
        }
    }
}
