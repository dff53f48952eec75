// FileLock: an exclusive flock(2) on a lock file, so processes (and threads) fetching the same file take turns.

import Foundation

public final class FileLock {
    public let path: String
    private var descriptor: Int32

    /// Blocks until the lock on `path` is held; creates the file (not its folder).
    public init(path: String) throws {
        self.path = path
        descriptor = -1
        // The holder deletes the lock file when it is done, so a waiter may end up holding a lock on a file
        // that is no longer at `path`; it then starts over on the file that is there now.
        while true {
            let candidate = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
            guard candidate >= 0 else {
                throw DownloadError.fileSystem(path: path, operation: "create the lock file", detail: errnoText())
            }
            var result: Int32
            repeat { result = flock(candidate, LOCK_EX) } while result != 0 && errno == EINTR
            guard result == 0 else {
                let detail = errnoText()
                close(candidate)
                throw DownloadError.fileSystem(path: path, operation: "lock", detail: detail)
            }
            let held = try? FileStatus.of(descriptor: candidate, path: path)
            let current = try? FileStatus.of(path)
            if let held, let current, held.device == current.device, held.inode == current.inode {
                descriptor = candidate
                return
            }
            close(candidate)
        }
    }

    /// Deletes the lock file and releases the lock; later calls do nothing.
    public func unlock() {
        guard descriptor >= 0 else { return }
        // Unlinking before unlocking is what lets waiters notice (in init) that their file is gone.
        unlink(path)
        close(descriptor)
        descriptor = -1
    }

    deinit { unlock() }

    /// Runs `body` while holding the lock on `lockPath`, waiting for it as long as another holder keeps it.
    public static func withLock<T>(_ lockPath: String, _ body: () throws -> T) throws -> T {
        let lock = try FileLock(path: lockPath)
        defer { lock.unlock() }
        return try body()
    }
}
