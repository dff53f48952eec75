// FileSystemError: Foundation's file errors (NSCocoaErrorDomain dumps) as a path and the system's reason.

import Foundation

public enum FileSystemError {
    /// The reason the system gave (`Not a directory`, `Permission denied`, `Read-only file system`),
    /// from the POSIX error Foundation wraps; nil for errors that are not Foundation's file errors.
    public static func reason(_ error: Error) -> String? {
        if let posix = error as? POSIXError { return String(cString: strerror(posix.code.rawValue)) }
        let ns = error as NSError
        guard ns.domain == NSCocoaErrorDomain else { return nil }
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? Error, let reason = reason(underlying) {
            return reason
        }
        return CocoaError.Code(rawValue: ns.code) == .fileWriteNoPermission ? "permission denied" : nil
    }

    /// `<path>: <reason>` for Foundation's file errors, so the user sees what and where; nil otherwise.
    public static func message(_ error: Error) -> String? {
        let ns = error as NSError
        guard ns.domain == NSCocoaErrorDomain, let reason = reason(error) else { return nil }
        let path = ns.userInfo[NSFilePathErrorKey] as? String ?? (ns.userInfo[NSURLErrorKey] as? URL)?.path
        return (path.map { TerminalText.name($0) + ": " } ?? "") + reason
    }
}
