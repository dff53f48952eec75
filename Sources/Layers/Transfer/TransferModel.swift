// TransferModel: a pretrained body cut from a torchvision network, a new head, and its layer groups.
//   input: (N, 3, H, W)   output: (N, classes)

import Tensors

/// State-dict keys are torchvision's for the body (`conv1.weight`, `features.0.weight`) and
/// `head.N.…` for the head, so torchvision checkpoints load into the body by name.
public final class TransferModel: Module {
    public let typeName = "TransferModel"
    public let architecture: String
    public let version: FastaiVersion
    public let body: Sequential
    public let head: Sequential
    public let groups: [LayerGroup]
    public var isTraining = true
    /// Groups `0 ..< frozenGroups` are frozen.
    public private(set) var frozenGroups = 0
    public var trainBN = true
    public var bnStats = BatchNormStatsMode.update
    /// Every state-dict key of the uncut torchvision network, so that loading its checkpoint can tell
    /// keys of cut-off children (fc, classifier) from keys of another architecture.
    let torchvisionKeys: Set<String>
    /// Every layer of the model runs with it (kernels, recording, the forward observer).
    public let context = ExecutionContext()
    /// The first this many body children run with batch-independent kernels, so that their
    /// output for an image is what cached features of it hold (set per stage; 0: none).
    public var exactPrefix = 0 {
        didSet {
            precondition(exactPrefix >= 0 && exactPrefix <= body.children.count, "a prefix outside the body")
            afterPrefix = Self.suffix(of: body, head, from: exactPrefix)
        }
    }
    /// Body children `exactPrefix...` and the head: the network that trains on cached features
    /// (made when the prefix is set, not per batch).
    public private(set) var afterPrefix: Sequential

    init(architecture: String, version: FastaiVersion, body: Sequential, head: Sequential, groups: [LayerGroup],
         torchvisionKeys: Set<String>) {
        self.architecture = architecture
        self.version = version
        self.body = body
        self.head = head
        self.groups = groups
        self.torchvisionKeys = torchvisionKeys
        afterPrefix = Self.suffix(of: body, head, from: 0)
        use(context)
    }

    public var children: [(name: String, module: any Module)] {
        body.children + [("head", head)]
    }

    public func forward(_ input: Tensor) -> Tensor {
        guard exactPrefix > 0 else { return head.forward(body.forward(input)) }
        return afterPrefix.forward(prefixFeatures(input))
    }

    /// The output of the first `exactPrefix` body children, computed one image at a time.
    public func prefixFeatures(_ input: Tensor) -> Tensor {
        context.withBatchIndependentKernels {
            body.children.prefix(exactPrefix).reduce(input) { $1.module.forward($0) }
        }
    }

    private static func suffix(of body: Sequential, _ head: Sequential, from first: Int) -> Sequential {
        Sequential(named: Array(body.children[first...]) + [("head", head)], typeName: "TransferModel.suffix")
    }

    /// How many leading body children compute a fixed function in training as the model is frozen
    /// now: no trainable parameter, no BatchNorm updating its statistics, no active dropout.
    public var fixedPrefix: Int {
        var frozenStats = Set<ObjectIdentifier>()
        if bnStats == .freeze {
            for group in groups where group.index < frozenGroups {
                for leaf in group.leaves where leaf.module is BatchNormLayer { frozenStats.insert(ObjectIdentifier(leaf.module)) }
            }
        }
        func isFixed(_ module: any Module) -> Bool {
            if module.namedParameters().contains(where: { $0.parameter.requiresGrad }) { return false }
            return module.namedModules().allSatisfy { _, leaf in
                if leaf is BatchNormLayer { return frozenStats.contains(ObjectIdentifier(leaf)) }
                if let dropout = leaf as? DropoutLayer { return dropout.p == 0 }
                return true
            }
        }
        return body.modules.prefix(while: isFixed).count
    }

    public func backward(_ gradOutput: Tensor, needsInputGradient: Bool) -> Tensor? {
        // A fixed prefix has nothing to train and needs no input gradient: backward ends above it.
        guard exactPrefix > 0 else { return Chain.backward([body, head], gradOutput, needsInputGradient: needsInputGradient) }
        precondition(!needsInputGradient, "an input gradient through a fixed prefix")
        return afterPrefix.backward(gradOutput, needsInputGradient: false)
    }

    /// fastai's `freeze_to(n)` with Python slice meaning: groups `[..<n]` frozen (BatchNorm
    /// parameters excepted when `trainBN`), groups `[n...]` trainable. −1 is `freeze()`, 0 `unfreeze()`.
    public func freeze(to n: Int) throws {
        let count = groups.count
        guard count > 1 else { throw TransferError.oneGroup(arch: architecture) }
        guard n >= -count && n < count else { throw TransferError.freezeOutOfRange(index: n, groups: count) }
        let frozen = n >= 0 ? n : count + n
        for group in groups {
            for leaf in group.leaves {
                let keepsTraining = group.index >= frozen || (trainBN && leaf.module is BatchNormLayer)
                for (_, parameter) in leaf.module.parameters { parameter.requiresGrad = keepsTraining }
            }
        }
        frozenGroups = frozen
    }

    public func freeze() throws { try freeze(to: -1) }
    public func unfreeze() throws { try freeze(to: 0) }

    /// Training or evaluation mode for every layer; in training, BatchNorm layers of frozen groups
    /// run in evaluation mode when `bnStats` is `.freeze`.
    public func prepare(training: Bool) {
        train(training)
        guard training && bnStats == .freeze else { return }
        for group in groups where group.index < frozenGroups {
            for leaf in group.leaves where leaf.module is BatchNormLayer { leaf.module.isTraining = false }
        }
    }

    /// The group of every parameter key, for optimisers and summaries.
    public var groupOfParameter: [String: Int] {
        var result: [String: Int] = [:]
        for group in groups {
            for (key, _) in group.parameters { result[key] = group.index }
        }
        return result
    }
}
