// LayerGroup: a contiguous run of the model's leaf modules — the unit of freezing and learning rates.

public struct LayerGroup {
    public let index: Int
    /// Leaf modules (no children) with their dotted names, in forward order.
    public let leaves: [(name: String, module: any Module)]

    public var parameters: [(key: String, parameter: Parameter)] {
        leaves.flatMap { leaf in
            leaf.module.parameters.map { (key: leaf.name + "." + $0.name, parameter: $0.parameter) }
        }
    }

    public var parameterCount: Int {
        parameters.reduce(0) { $0 + $1.parameter.count }
    }

    /// The parameters of BatchNorm layers, which `train_bn` keeps trainable in frozen groups.
    public var batchNormParameterCount: Int {
        leaves.filter { $0.module is BatchNormLayer }
            .reduce(0) { total, leaf in total + leaf.module.parameters.reduce(0) { $0 + $1.parameter.count } }
    }

    public var trainableParameterCount: Int {
        parameters.reduce(0) { $0 + ($1.parameter.requiresGrad ? $1.parameter.count : 0) }
    }
}

/// What happens to BatchNorm running statistics in frozen groups.
public enum BatchNormStatsMode: String, Sendable, CaseIterable {
    /// They keep updating in training (fastai v1/v2 default).
    case update
    /// They stay fixed: frozen groups' BatchNorm layers run in evaluation mode (fastai's BnFreeze,
    /// and 0.7's behaviour for frozen layers).
    case freeze
}
