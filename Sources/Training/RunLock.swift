// RunLock: an exclusive lock on a run directory, so two runners never write one run.

import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// flock(2) on `<run>/.lock`: the kernel drops it when the process ends, however it ends, so a run
/// killed with SIGKILL is resumable at once and no stale lock needs cleaning up. The file holds the
/// owner's pid for the error message.
public final class RunLock {
    private let descriptor: Int32
    public let path: String

    public enum LockError: Error, CustomStringConvertible {
        case held(run: String, pid: String)
        case cannotOpen(path: String, reason: String)

        public var description: String {
            switch self {
            case let .held(run, pid):
                return "\(run) is being written by another runner (pid \(pid)); wait for it to finish or stop it first"
            case let .cannotOpen(path, reason):
                return "cannot open the run lock \(path): \(reason)"
            }
        }
    }

    /// `wait`: block until the holder lets go (a Slurm node writing summary.json) instead of failing.
    public init(directory: URL, wait: Bool = false) throws {
        path = directory.appendingPathComponent(".lock").path
        descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw LockError.cannotOpen(path: path, reason: String(cString: strerror(errno))) }
        guard flock(descriptor, wait ? LOCK_EX : LOCK_EX | LOCK_NB) == 0 else {
            let owner = (try? String(contentsOfFile: path, encoding: .utf8))?
                .trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            close(descriptor)
            throw LockError.held(run: directory.path, pid: owner.isEmpty ? "unknown" : owner)
        }
        let pid = "\(getpid())\n"
        _ = ftruncate(descriptor, 0)
        _ = pid.withCString { pwrite(descriptor, $0, strlen($0), 0) }
    }

    /// True when another process holds the lock of `directory`.
    public static func isHeld(directory: URL) -> Bool {
        let fd = open(directory.appendingPathComponent(".lock").path, O_RDWR | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        if flock(fd, LOCK_EX | LOCK_NB) == 0 {
            flock(fd, LOCK_UN)
            return false
        }
        return true
    }

    deinit {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}
