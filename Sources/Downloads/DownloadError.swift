// DownloadError: why a fetch failed, naming the URL and the paths involved and what the user can do.

public enum DownloadError: Error, CustomStringConvertible, Equatable {
    /// RUNNER_OFFLINE is set and the file is not in place.
    case offline(url: String, destination: String)
    /// The host could not be resolved or connected to; nothing was received.
    case unreachable(url: String, destination: String, detail: String)
    /// The server answered with an error status (after redirects).
    case httpStatus(status: Int, url: String)
    /// The connection broke or stalled mid-transfer; `partial` holds `bytes` and the next fetch resumes from it.
    case interrupted(url: String, partial: String, bytes: Int64, detail: String)
    /// Any other transfer failure (TLS, protocol, too many redirects …).
    case transferFailed(url: String, destination: String, detail: String)
    /// The downloaded bytes did not pass the check; the partial file was deleted.
    case checksumMismatch(url: String, destination: String, expected: String, actual: String)
    /// A file already at the destination (a finished download, or one copied by hand) did not pass the check;
    /// it is left in place.
    case existingFileMismatch(path: String, expected: String, actual: String)
    /// Something other than a regular file sits at the destination.
    case notAFile(path: String)
    /// The check itself is malformed.
    case invalidCheck(String)
    /// A file-system call failed.
    case fileSystem(path: String, operation: String, detail: String)

    public var description: String {
        switch self {
        case let .offline(url, destination):
            return "RUNNER_OFFLINE is set, so \(url) is not downloaded; copy the file by hand to \(destination)"
                + " (it is verified when picked up), or unset RUNNER_OFFLINE"
        case let .unreachable(url, destination, detail):
            return "could not reach \(url) (\(detail)); check the network connection and retry, or download the file"
                + " another way and copy it to \(destination) (it is verified when picked up)"
        case let .httpStatus(status, url):
            return "the server answered HTTP \(status) for \(url); nothing was saved"
                + (status == 404 || status == 410 ? " — the file is not (or no longer) there; check the URL"
                   : status >= 500 ? " — the server failed; retry later" : "")
        case let .interrupted(url, partial, bytes, detail):
            return "the download of \(url) broke off after \(bytes) bytes (\(detail)); they are kept in \(partial),"
                + " and rerunning resumes from there"
        case let .transferFailed(url, destination, detail):
            return "downloading \(url) failed (\(detail)); retry, or download the file another way and copy it to"
                + " \(destination) (it is verified when picked up)"
        case let .checksumMismatch(url, destination, expected, actual):
            return "the file downloaded from \(url) for \(destination) does not match its check: expected \(expected),"
                + " got \(actual); it was deleted. Rerun to download it again; if this repeats, the URL or the"
                + " expected checksum is wrong"
        case let .existingFileMismatch(path, expected, actual):
            return "\(path) is already there but does not match its check: expected \(expected), got \(actual);"
                + " it was left in place — delete it (Runner then downloads it again) or replace it with the right file"
        case let .notAFile(path):
            return "\(path) exists but is not a regular file; move it away so the download can be saved there"
        case let .invalidCheck(detail):
            return "invalid integrity check: \(detail)"
        case let .fileSystem(path, operation, detail):
            return "could not \(operation) \(path): \(detail); check the path and its permissions, and that the disk is not"
                + " full (RUNNER_CACHE chooses another cache folder)"
        }
    }
}
