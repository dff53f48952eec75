// ForwardHooks: an observer that sees every leaf layer's output, for summaries and shape checks.

import Tensors

public enum ForwardHooks {
    /// Called by each leaf layer with its output during forward; nil (the default) costs one check.
    nonisolated(unsafe) public static var observer: ((any Module, Tensor) -> Void)?

    /// Runs `body` with `observer` installed, restoring the previous one afterwards.
    public static func observing<R>(_ observer: @escaping (any Module, Tensor) -> Void, _ body: () throws -> R) rethrows -> R {
        let previous = self.observer
        self.observer = observer
        defer { self.observer = previous }
        return try body()
    }
}

extension Module {
    /// Reports `output` to the forward observer, if any, and returns it.
    @inline(__always)
    func observed(_ output: Tensor) -> Tensor {
        ForwardHooks.observer?(self, output)
        return output
    }
}
