// TorchvisionModel: a torchvision network — its registered children plus the unregistered steps its forward runs.
//   input: (N, 3, H, W)   output: (N, classes)

import Tensors

/// torchvision's `forward` methods run a few parameter-free functions that are not submodules
/// (`torch.flatten` in ResNet, VGG and AlexNet; `F.relu`, pooling and flatten in DenseNet; …).
/// They run here as `stepsAfter`, but stay out of `children`, so state-dict keys, leaf lists and
/// body cuts see exactly torchvision's module tree.
public final class TorchvisionModel: Module {
    public let typeName: String
    public let children: [(name: String, module: any Module)]
    /// The unregistered steps run right after the child at each index.
    public let stepsAfter: [Int: [any Module]]
    public var isTraining = true {
        didSet {
            // `train()` reaches only registered modules; the steps follow the model's mode.
            for step in stepsAfter.values.joined() { step.isTraining = isTraining }
        }
    }
    private let pipeline: [any Module]
    /// Every layer of the model runs with it (kernels, recording, the forward observer).
    public let context = ExecutionContext()

    public init(typeName: String, children: [(String, any Module)], stepsAfter: [Int: [any Module]] = [:]) {
        precondition(stepsAfter.keys.allSatisfy { children.indices.contains($0) },
                     "\(typeName): steps after a child index that does not exist")
        precondition(stepsAfter.values.joined().allSatisfy { $0.namedParameters().isEmpty && $0.namedBuffers().isEmpty },
                     "\(typeName): unregistered steps must not own state, or the state dict would miss it")
        self.typeName = typeName
        self.children = children.map { (name: $0.0, module: $0.1) }
        self.stepsAfter = stepsAfter
        var pipeline: [any Module] = []
        for (index, child) in children.enumerated() {
            pipeline.append(child.1)
            pipeline += stepsAfter[index] ?? []
        }
        self.pipeline = pipeline
        use(context)
    }

    /// Its children's layers and the unregistered steps between them.
    public func use(_ context: ExecutionContext) {
        for step in pipeline { step.use(context) }
    }

    /// The registered child called `name`, as torchvision's attribute access (`model.fc`).
    public subscript(_ name: String) -> (any Module)? {
        children.first { $0.name == name }?.module
    }

    public func forward(_ input: Tensor) -> Tensor {
        Chain.forward(pipeline, input)
    }

    public func backward(_ gradOutput: Tensor, needsInputGradient: Bool) -> Tensor? {
        Chain.backward(pipeline, gradOutput, needsInputGradient: needsInputGradient)
    }
}
