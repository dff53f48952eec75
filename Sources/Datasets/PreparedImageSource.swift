// PreparedImageSource: item index → its decoded, resized (size × size) RGBImage, ready for augmentation.

/// The batch loader reads through this, so it does not care whether images are decoded every
/// epoch (`DecodingImageSource`) or read from the memory-mapped `DecodeCache`. Implementations are
/// called from several threads at once.
public protocol PreparedImageSource: Sendable {
    var count: Int { get }
    func preparedImage(at index: Int) throws -> RGBImage
}
