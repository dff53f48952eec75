// ExperimentConfig+Precompute: when cached features of a frozen prefix are exact, and the error for `precompute: true` where they are not.

extension ExperimentConfig {
    /// The settings that make a frozen prefix's output for an image change from epoch to epoch,
    /// each as `key: value (why)`; empty when features computed once are exactly what every epoch
    /// would compute. Which body children form the prefix is the model's part (`StageFacts`).
    public var precomputeBlockers: [String] {
        Self.precomputeBlockers(train: train, data: data)
    }

    static func precomputeBlockers(train: TrainConfig, data: DataConfig) -> [String] {
        var blockers: [String] = []
        if train.trainBN { blockers.append("train.train_bn: true (BatchNorm trains in the frozen groups)") }
        if train.bnStats == .update {
            blockers.append("train.bn_stats: update (BatchNorm statistics change with every training batch)")
        }
        if !data.augment.isIdentity { blockers.append("data.augment (each epoch draws new transforms of every image)") }
        if data.resize == .crop {
            blockers.append("data.resize: crop (training takes a random square along each image's longer side)")
        }
        return blockers
    }

    /// `precompute: true` promises cached features; where they would not be exact, that is an error
    /// naming every setting in the way.
    static func checkPrecompute(_ node: ConfigNode, _ path: ConfigPath, _ r: ConfigReader, train: TrainConfig,
                                data: DataConfig) {
        let blockers = precomputeBlockers(train: train, data: data)
        guard train.precompute == .on, !blockers.isEmpty else { return }
        r.fail(at: node.location, path, expected: "auto or false with these settings", found: "true",
               problem: "precompute: true, but the frozen layers' output changes between epochs: "
                   + blockers.joined(separator: "; "),
               suggestion: "set train.train_bn: false, train.bn_stats: freeze, data.augment: none and data.resize: "
                   + "squish or pad (preset fastai07 sets the first two), or precompute: auto to use it only where it is exact")
    }
}
