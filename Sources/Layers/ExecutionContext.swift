// ExecutionContext: what a model's layers run with — its convolution kernels' context, the recording mode of the pass in progress, an observer of layer outputs.

import Tensors

/// One per model (`TorchvisionModel` and `TransferModel` make theirs and hand it to every layer),
/// never global: two models, or a test and the model it checks, cannot change each other's kernels
/// or recording.
///
/// Recording: torch records a graph only from tensors that require gradients; a frozen body fed
/// with images needs none, so it keeps no activations. Here the same rule is one flag for the pass
/// being run: false from the start of a pass whose input needs no gradient, true from the first
/// layer with trainable parameters on (everything computed after it may need one). Layers keep
/// activations for their input gradient only while it is true, and always for their own trainable
/// parameters. The flag only turns true during a pass, and a layer runs after everything it
/// depends on, so it is never false where backward will ask for an input gradient.
public final class ExecutionContext {
    public let kernels: KernelContext
    /// Whether the pass in progress must keep what backward needs to pass gradients to its input.
    public private(set) var inputGradients = true
    /// Called by each leaf layer with its output during forward (summaries, shape checks).
    public private(set) var observer: ((any Module, Tensor) -> Void)?

    public init(kernels: KernelContext = KernelContext()) {
        self.kernels = kernels
    }

    /// Runs `body` with the kernels batch-independent (`KernelContext.batchIndependent`).
    public func withBatchIndependentKernels<R>(_ body: () throws -> R) rethrows -> R {
        let previous = kernels.batchIndependent
        kernels.batchIndependent = true
        defer { kernels.batchIndependent = previous }
        return try body()
    }

    /// Runs one forward pass whose input needs no gradient (images).
    public func withoutInputGradient<R>(_ body: () -> R) -> R {
        let previous = inputGradients
        inputGradients = false
        defer { inputGradients = previous }
        return body()
    }

    /// Called by a layer after its forward when it has trainable parameters.
    func trainableLayerRan() {
        inputGradients = true
    }

    /// Runs `body` with `observer` installed, restoring the previous one afterwards.
    public func observing<R>(_ observer: @escaping (any Module, Tensor) -> Void, _ body: () throws -> R) rethrows -> R {
        let previous = self.observer
        self.observer = observer
        defer { self.observer = previous }
        return try body()
    }
}

/// A leaf layer that runs with its model's context (until a model adopts it, one of its own).
public protocol ContextualLayer: Module {
    var context: ExecutionContext { get set }
}

extension ContextualLayer {
    /// Reports `output` to the context's observer, if any, and returns it.
    @inline(__always)
    func observed(_ output: Tensor) -> Tensor {
        context.observer?(self, output)
        return output
    }
}
