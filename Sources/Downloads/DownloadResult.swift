// DownloadResult: the verified file a fetch left in place.

public struct DownloadResult: Sendable, Equatable {
    public var path: String
    /// Lowercase hex.
    public var sha256: String
    public var bytes: Int64
    /// false when the file was already in place (downloaded earlier, or copied there by hand).
    public var downloaded: Bool

    public init(path: String, sha256: String, bytes: Int64, downloaded: Bool) {
        (self.path, self.sha256, self.bytes, self.downloaded) = (path, sha256, bytes, downloaded)
    }
}
