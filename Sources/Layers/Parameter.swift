// Parameter: a trainable tensor with its lazily allocated gradient and its requires-grad flag.

import Tensors

public final class Parameter {
    public var value: Tensor {
        didSet { version &+= 1 }
    }
    /// Changes whenever `value` is assigned or mutated (an optimiser step, a loaded checkpoint), so
    /// layers can keep values derived from it until it changes.
    public private(set) var version = 0
    /// Accumulated ∂L/∂value; nil until a backward pass produces one, or after `zeroGradient`.
    public var gradient: Tensor?
    /// false = frozen: backward computes no gradient for it.
    public var requiresGrad: Bool

    public init(_ value: Tensor, requiresGrad: Bool = true) {
        self.value = value
        self.requiresGrad = requiresGrad
    }

    public var shape: [Int] { value.shape }
    public var count: Int { value.count }

    /// Runs `body` on the gradient (zeros if none yet) without copying it.
    public func accumulateGradient(_ body: (inout Tensor) -> Void) {
        var grad = gradient ?? Tensor(zeros: value.shape)
        gradient = nil
        body(&grad)
        gradient = grad
    }

    /// The gradient as an optional destination for kernels that skip nil outputs: nil when frozen.
    func takeGradientIfTrainable() -> Tensor? {
        guard requiresGrad else { return nil }
        let grad = gradient ?? Tensor(zeros: value.shape)
        gradient = nil
        return grad
    }

    public func zeroGradient() {
        gradient = nil
    }
}

/// Non-trainable state that belongs in the state dict (BatchNorm running statistics).
public final class Buffer {
    public var value: Tensor
    /// Stored as int64 in torch state dicts (`num_batches_tracked`).
    public let isCounter: Bool

    public init(_ value: Tensor, isCounter: Bool = false) {
        self.value = value
        self.isCounter = isCounter
    }
}
