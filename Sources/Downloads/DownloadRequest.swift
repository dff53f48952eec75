// DownloadRequest: a URL, where its file belongs in the cache, and how to verify it.

public struct DownloadRequest: Sendable {
    public var url: String
    /// The final path. `<destination>.partial`, `.lock` and `.sha256` are kept beside it.
    public var destination: String
    public var check: IntegrityCheck

    public init(url: String, destination: String, check: IntegrityCheck) {
        (self.url, self.destination, self.check) = (url, destination, check)
    }
}
