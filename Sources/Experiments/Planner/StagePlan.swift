// StagePlan: what a stage node runs — its schedule entry, and the model's groups frozen as it says, with each group's rate.

extension JobGraph.StagePlan {
    /// `stage` resolved against the groups of the model it trains: `freeze_to` against the group
    /// count, its `lr` spread over the groups. The planner makes every stage node's plan this way;
    /// a stage trained outside a plan (a test, a benchmark) makes its own the same way.
    public static func make(_ stage: StageConfig, facts: StageFacts, config: ExperimentConfig) throws -> JobGraph.StagePlan {
        let lrs = try stage.lr.values(groups: facts.groups.count)
        let groups = facts.groups.enumerated().map { i, group in
            Group(index: i, parameters: group.parameters, trainable: group.trainable, lr: lrs[i],
                  trainableKeys: group.trainableKeys)
        }
        let frozen = stage.freezeTo >= 0 ? stage.freezeTo : groups.count + stage.freezeTo
        var plan = JobGraph.StagePlan(stage: stage, frozenGroups: frozen, lrs: lrs, parameters: facts.parameters,
                                      trainable: facts.trainable, groups: groups)
        if config.precomputeBlockers.isEmpty {
            plan.exactPrefix = facts.fixedPrefix
            plan.precompute = plan.exactPrefix > 0 && config.train.precompute != .off
        }
        return plan
    }
}
