// Interruption: Ctrl-C (SIGINT) and SIGTERM ask training to stop at the next batch boundary; a second Ctrl-C quits at once.

import Dispatch
import Foundation

/// Signals are taken by dispatch sources, not a signal handler, so the reaction runs as ordinary
/// code on a queue; the trainer polls `requested` between batches.
public final class Interruption: @unchecked Sendable {
    public static let shared = Interruption()

    private let lock = NSLock()
    private var count = 0
    private var sources: [DispatchSourceSignal] = []

    public var requested: Bool {
        lock.lock()
        defer { lock.unlock() }
        return count > 0
    }

    /// Installs the handlers; `notice` is told on the first signal what will happen.
    public func install(notice: @escaping @Sendable (String) -> Void) {
        lock.lock()
        defer { lock.unlock() }
        guard sources.isEmpty else { return }
        for number in [SIGINT, SIGTERM] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [weak self] in self?.received(number, notice: notice) }
            source.resume()
            sources.append(source)
        }
    }

    private func received(_ number: Int32, notice: (String) -> Void) {
        lock.lock()
        count += 1
        let first = count == 1
        lock.unlock()
        if first {
            notice("\nstopping at the next batch boundary and writing a checkpoint (Ctrl-C again to quit at once)")
        } else {
            // The checkpoint on disk is the last complete one; nothing half-written is ever renamed into place.
            // _exit, not exit: exit's handlers tear down OpenBLAS while its threads may be inside a GEMM,
            // which crashed with SIGSEGV (3 of 7 tries); nothing needs flushing, the logs are written line by line.
            _exit(130)
        }
    }
}
