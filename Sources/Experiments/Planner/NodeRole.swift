// NodeRole: which node of the job graph each setting shapes; every section's keys are classified by an exhaustive switch.

/// The planner builds each node's identity from the settings of its role, so a key added to a
/// section does not compile until it is given a role here — it can never be silently left out of
/// every identity (a stale node reused) or put into one it does not shape (needless retraining).
public enum NodeRole: Sendable {
    /// Which items there are, their labels and the split: the `data` node.
    case data
    /// How each image is decoded and resized: the `cache` node.
    case images
    /// The built model and its initial weights: the `model` node.
    case model
    /// Shapes a stage's training: part of every `stage` node's identity.
    case stage
    /// Shapes a stage through the resolved layer groups it gives (which parameters train at which
    /// rate), never as text: split sweeps whose stages train the same parameters share them.
    case groups
    /// Chooses what is reported from a finished stage: the `evaluate` node.
    case evaluate
    /// Changes how or where a run executes (threads, the run directory, the jobs of a sweep), not
    /// any node's output.
    case execution
}

extension DataConfig {
    static func role(of key: Key) -> NodeRole {
        switch key {
        case .source, .path, .labels, .valid, .badFiles, .variant, .classes, .imagesPerClass, .url, .sha256, .name:
            return .data
        // Which files can be read at all, so which items there are.
        case .maxPixels: return .data
        case .size, .resize: return .images
        case .batchSize, .augment, .normalize: return .stage
        }
    }
}

extension ModelConfig {
    static func role(of key: Key) -> NodeRole {
        switch key {
        case .arch, .weights, .cut, .head, .classes: return .model
        // meta is [cut, lr_cut]: its cut shapes the model, its lr_cut only the groups (see Planner).
        case .meta: return .model
        case .split: return .groups
        }
    }
}

extension TrainConfig {
    static func role(of key: Key) -> NodeRole {
        switch key {
        case .loss, .labelSmoothing, .optimizer, .trainBN, .bnStats, .earlyStopping: return .stage
        // A stage's records hold top-k accuracy too, so its k is also part of the stage (see Planner).
        case .metrics: return .evaluate
        // The effective thread count (this key or --threads) enters stages as their numerics (PlanFacts).
        case .threads: return .execution
        // Cached features give the same numbers as the frozen prefix run batch by batch.
        case .precompute: return .execution
        }
    }
}

extension StageConfig {
    static func role(of key: Key) -> NodeRole {
        switch key {
        case .epochs, .policy, .pctStart, .div, .finalDiv, .moms: return .stage
        // Which parameters train at which rate: the stage's resolved groups.
        case .freezeTo, .lr: return .groups
        // Epoch records are labelled with the stage's current name when a node is reused.
        case .name: return .execution
        }
    }
}

extension ConfigNode {
    /// This mapping's entries whose key `role` gives `wanted`, as a mapping.
    func entries<K: ConfigKey>(_ keys: K.Type, role: (K) -> NodeRole, _ wanted: NodeRole) -> ConfigNode {
        let kept = (entries ?? []).filter { entry in K(rawValue: entry.key).map(role) == wanted }
        return ConfigNode(.mapping(kept))
    }
}
