// ExperimentConfig+Precompute: when cached features of a frozen prefix are exact, and the error for `precompute: true` where they are not.

extension ExperimentConfig {
    /// A setting that makes a frozen prefix's output for an image change from epoch to epoch.
    public struct PrecomputeBlocker: Equatable, Sendable {
        /// `key: value` as written in the file.
        public var setting: String
        public var why: String
        /// What to write instead.
        public var fix: String

        public var description: String { "\(setting) (\(why))" }
    }

    /// Empty when features computed once are exactly what every epoch would compute. Which body
    /// children form the prefix is the model's part (`StageFacts.fixedPrefix`).
    public var precomputeBlockers: [PrecomputeBlocker] {
        Self.precomputeBlockers(train: train, data: data)
    }

    static func precomputeBlockers(train: TrainConfig, data: DataConfig) -> [PrecomputeBlocker] {
        var blockers: [PrecomputeBlocker] = []
        if train.trainBN {
            blockers.append(.init(setting: "train.train_bn: true", why: "BatchNorm trains in the frozen groups",
                                  fix: "train.train_bn: false"))
        }
        if train.bnStats == .update {
            blockers.append(.init(setting: "train.bn_stats: update", why: "BatchNorm statistics change with every training batch",
                                  fix: "train.bn_stats: freeze"))
        }
        if !data.augment.isIdentity {
            blockers.append(.init(setting: "data.augment", why: "each epoch draws new transforms of every image",
                                  fix: "data.augment: none"))
        }
        if data.resize == .crop {
            blockers.append(.init(setting: "data.resize: crop", why: "training takes a random square along each image's longer side",
                                  fix: "data.resize: squish or pad"))
        }
        return blockers
    }

    /// `precompute: true` promises cached features; where they would not be exact, that is an error
    /// naming every setting in the way and what to write instead.
    static func checkPrecompute(_ node: ConfigNode, _ path: ConfigPath, _ r: ConfigReader, train: TrainConfig,
                                data: DataConfig) {
        let blockers = precomputeBlockers(train: train, data: data)
        guard train.precompute == .on, !blockers.isEmpty else { return }
        r.fail(at: node.location, path, expected: "auto or false with these settings", found: "true",
               problem: "true, but the frozen layers' output changes between epochs: "
                   + blockers.map(\.description).joined(separator: "; "),
               suggestion: "set " + blockers.map(\.fix).joined(separator: ", ")
                   + ", or precompute: auto to use it only where it is exact")
    }
}
