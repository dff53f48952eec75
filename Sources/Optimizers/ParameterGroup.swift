// ParameterGroup: the parameters of one layer group with their keys, kinds and hyper-parameters.

import Layers

/// One group per layer group, as fastai2 keeps it. fastai1 splits each layer group into "main" and
/// "nowd" torch groups with the same hyper-parameters; `Member.isNormOrBias` carries that split,
/// so both versions' rules can be applied per parameter.
public struct ParameterGroup {
    public struct Member {
        /// The state-dict key (`layer1.0.bn1.weight`), which also keys the optimiser state.
        public let key: String
        public let parameter: Parameter
        /// A BatchNorm parameter or any bias: fastai1's "nowd" group, fastai2's `norm_bias_params`.
        public let isNormOrBias: Bool

        public init(key: String, parameter: Parameter, isNormOrBias: Bool) {
            self.key = key
            self.parameter = parameter
            self.isNormOrBias = isNormOrBias
        }
    }

    public var members: [Member]
    public var hyper: HyperParameters

    public init(members: [Member], hyper: HyperParameters) {
        self.members = members
        self.hyper = hyper
    }

    /// Every parameter of the layer group, frozen ones included: freezing changes between stages and
    /// `step()` checks `requiresGrad` each time, which is what fastai2's persistent optimiser does.
    public init(layerGroup: LayerGroup, hyper: HyperParameters) {
        var members: [Member] = []
        for leaf in layerGroup.leaves {
            // Norm layers put all their parameters in "nowd"; other layers (Conv, Linear) only their bias.
            let isNorm = leaf.module is BatchNormLayer
            for (name, parameter) in leaf.module.parameters {
                members.append(Member(key: leaf.name + "." + name, parameter: parameter,
                                      isNormOrBias: isNorm || name == "bias"))
            }
        }
        self.init(members: members, hyper: hyper)
    }

    /// One group per layer group of `model`, with the already spread per-group learning rates.
    public static func groups(of model: TransferModel, hyper: HyperParameters,
                              learningRates: [Double]) throws(OptimizerError) -> [ParameterGroup] {
        guard learningRates.count == model.groups.count else {
            throw .learningRateCount(rates: learningRates.count, groups: model.groups.count)
        }
        return zip(model.groups, learningRates).map { group, rate in
            var groupHyper = hyper
            groupHyper.learningRate = rate
            return ParameterGroup(layerGroup: group, hyper: groupHyper)
        }
    }
}
