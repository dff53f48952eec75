// Module: the layer protocol — forward, backward, children and torch-style dotted names.

import Tensors

/// A layer or a container of layers. Forward caches what backward needs; backward accumulates
/// parameter gradients and returns ∂L/∂input only when asked for it.
public protocol Module: AnyObject {
    /// torch's class name, for summaries (`Conv2d`, `BatchNorm2d`, …).
    var typeName: String { get }
    /// Direct submodules in registration order, under their torch attribute names.
    var children: [(name: String, module: any Module)] { get }
    /// Parameters owned directly by this module (not by a child).
    var parameters: [(name: String, parameter: Parameter)] { get }
    var buffers: [(name: String, buffer: Buffer)] { get }
    /// Training mode (batch statistics, dropout) or evaluation mode.
    var isTraining: Bool { get set }

    func forward(_ input: Tensor) -> Tensor
    /// Accumulates parameter gradients from `gradOutput`; returns ∂L/∂input when
    /// `needsInputGradient`, and may skip that work (returning nil) otherwise.
    func backward(_ gradOutput: Tensor, needsInputGradient: Bool) -> Tensor?
    /// The plane this module turns an input plane into, or where it would not fit (see PlaneSize).
    func plane(after input: PlaneSize) throws -> PlaneSize
    /// Hands `context` to this module's layers (a model adopting its layers).
    func use(_ context: ExecutionContext)
}

extension Module {
    public func plane(after input: PlaneSize) throws -> PlaneSize { try defaultPlane(after: input) }

    public func use(_ context: ExecutionContext) {
        if let layer = self as? any ContextualLayer { layer.context = context }
        for child in children { child.module.use(context) }
    }

    public var children: [(name: String, module: any Module)] { [] }
    public var parameters: [(name: String, parameter: Parameter)] { [] }
    public var buffers: [(name: String, buffer: Buffer)] { [] }

    /// Every parameter below this module, depth first, with dotted keys (`layer1.0.conv1.weight`).
    public func namedParameters(prefix: String = "") -> [(key: String, parameter: Parameter)] {
        var result = parameters.map { (key: prefix + $0.name, parameter: $0.parameter) }
        for child in children {
            result += child.module.namedParameters(prefix: prefix + child.name + ".")
        }
        return result
    }

    public func namedBuffers(prefix: String = "") -> [(key: String, buffer: Buffer)] {
        var result = buffers.map { (key: prefix + $0.name, buffer: $0.buffer) }
        for child in children {
            result += child.module.namedBuffers(prefix: prefix + child.name + ".")
        }
        return result
    }

    /// This module and every descendant, depth first, with dotted names ("" for self).
    public func namedModules(prefix: String = "") -> [(name: String, module: any Module)] {
        var result: [(name: String, module: any Module)] = [(prefix, self)]
        for child in children {
            let name = prefix.isEmpty ? child.name : prefix + "." + child.name
            result += child.module.namedModules(prefix: name)
        }
        return result
    }

    /// This module and its descendants of type `T`, in torch's `self.modules()` order.
    public func modules<T>(of type: T.Type) -> [T] {
        namedModules().compactMap { $0.module as? T }
    }

    public var parameterCount: Int {
        namedParameters().reduce(0) { $0 + $1.parameter.count }
    }

    public var trainableParameterCount: Int {
        namedParameters().reduce(0) { $0 + ($1.parameter.requiresGrad ? $1.parameter.count : 0) }
    }

    /// Whether backward through this module produces any parameter gradient. Asked for every
    /// module on every backward pass, so it walks the tree without building keys.
    public var hasTrainableParameters: Bool {
        parameters.contains { $0.parameter.requiresGrad } || children.contains { $0.module.hasTrainableParameters }
    }

    /// Sets training mode on this module and all descendants.
    public func train(_ training: Bool = true) {
        for (_, module) in namedModules() { module.isTraining = training }
    }

    public func eval() {
        train(false)
    }

    public func zeroGradients() {
        for (_, parameter) in namedParameters() { parameter.zeroGradient() }
    }
}

/// Runs `modules` in order for forward, and backward in reverse, asking each for an input gradient
/// only if something before it (or the caller) needs one.
struct Chain {
    static func forward(_ modules: [any Module], _ input: Tensor) -> Tensor {
        modules.reduce(input) { $1.forward($0) }
    }

    static func backward(_ modules: [any Module], _ gradOutput: Tensor, needsInputGradient: Bool) -> Tensor? {
        // needs[i]: whether module i must return a gradient for its input.
        var needs = [Bool](repeating: needsInputGradient, count: modules.count)
        var below = needsInputGradient
        for i in modules.indices {
            needs[i] = below
            below = below || modules[i].hasTrainableParameters
        }
        var grad: Tensor? = gradOutput
        for i in modules.indices.reversed() {
            guard let current = grad else { return nil }
            grad = modules[i].backward(current, needsInputGradient: needs[i])
        }
        return grad
    }
}
