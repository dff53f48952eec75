// ExtractionSummary: what an extraction wrote.

public struct ExtractionSummary: Sendable, Equatable {
    /// Entries that are not folders: regular files, symlinks and hard links.
    public var files: Int
    /// Bytes of file data written.
    public var bytes: Int64

    public init(files: Int, bytes: Int64) {
        (self.files, self.bytes) = (files, bytes)
    }
}
