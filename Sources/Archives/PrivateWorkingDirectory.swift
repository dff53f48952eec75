// PrivateWorkingDirectory: runs work on a thread whose working directory is its own (Linux unshare(CLONE_FS)),
// so it can chdir into a folder without moving the working directory of the process's other threads.

import CArchive
import Foundation

enum PrivateWorkingDirectory {
    /// Runs `body` on a fresh thread whose working directory is `folder`, and waits for it.
    /// Returns nil without running `body` when the platform (or a seccomp policy) does not allow it.
    static func run<T>(in folder: String, _ body: @escaping () throws -> T) throws -> T? {
        #if os(Linux)
        let outcome = ThreadOutcome<T>()
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            defer { done.signal() }
            guard runner_unshare_working_directory() == 0 else { return }
            guard chdir(folder) == 0 else {
                outcome.result = .failure(ArchiveError.fileSystem(path: folder, operation: "enter",
                                                                  detail: String(cString: strerror(errno))))
                return
            }
            outcome.result = Result { try body() }
        }
        // libarchive and the zlib/bzip2/xz decoders want more than a secondary thread's default stack.
        thread.stackSize = 8 << 20
        thread.start()
        done.wait()
        return try outcome.result?.get()
        #else
        return nil
        #endif
    }
}

/// Carries the thread's result back; the semaphore orders the write before the read.
private final class ThreadOutcome<T>: @unchecked Sendable {
    var result: Result<T, Error>?
}
