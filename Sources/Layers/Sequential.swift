// Sequential: torch.nn.Sequential — children run in order, named "0", "1", … or by given names.

import Tensors

public final class Sequential: Module {
    public let typeName: String
    public private(set) var children: [(name: String, module: any Module)]
    public var isTraining = true

    public init(_ modules: [any Module]) {
        typeName = "Sequential"
        children = modules.enumerated().map { (String($0.offset), $0.element) }
    }

    /// A container with attribute names, e.g. torchvision's ResNet (`conv1`, `bn1`, …, `fc`).
    public init(named: [(name: String, module: any Module)], typeName: String = "Sequential") {
        self.typeName = typeName
        children = named
    }

    public var modules: [any Module] { children.map(\.module) }

    public subscript(_ index: Int) -> any Module { children[index].module }

    public func forward(_ input: Tensor) -> Tensor {
        Chain.forward(modules, input)
    }

    public func backward(_ gradOutput: Tensor, needsInputGradient: Bool) -> Tensor? {
        Chain.backward(modules, gradOutput, needsInputGradient: needsInputGradient)
    }
}
