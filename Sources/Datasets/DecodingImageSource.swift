// DecodingImageSource: decodes and resizes image files on every request (the cold path) → size × size RGBImage.

public struct DecodingImageSource: PreparedImageSource {
    public var paths: [String]
    public var transforms: Transforms

    public init(paths: [String], transforms: Transforms) {
        self.paths = paths
        self.transforms = transforms
    }

    public var count: Int { paths.count }

    public func preparedImage(at index: Int) throws -> RGBImage {
        try transforms.decodeAndPrepare(path: paths[index])
    }
}
