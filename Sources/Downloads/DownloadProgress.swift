// DownloadProgress: what a fetch reports while it transfers (nothing when the file is already in place).

public protocol DownloadProgress: AnyObject {
    /// The server answered; `resumedAt` bytes were already on disk from an earlier, interrupted fetch.
    /// `total` is the whole file's size when the server says it.
    func started(url: String, resumedAt: Int64, total: Int64?)
    /// `bytes` on disk so far, counting the resumed part; called often, so implementations throttle.
    func advanced(bytes: Int64, total: Int64?)
    func finished(bytes: Int64)
}
