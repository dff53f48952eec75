// ModelCheck: the checks of an experiment file that need the architecture, reported at the file's lines.

import Experiments
import Layers

/// Runs before anything trains: the cut and split against the real module tree, every stage's
/// `freeze_to` and learning-rate list against the group count, and the weights file against the
/// body's keys and shapes. All problems are collected.
public enum ModelCheck {
    /// Every check that needs the data or the architecture, on the models and items `facts` builds
    /// and lists (which the plan and the run then use); throws every problem at once, each at its line.
    public static func check(_ loaded: LoadedConfig, facts: TransferFacts) throws {
        var errors: [ConfigError] = []
        for config in loaded.jobs.map(\.config) {
            do {
                let counted = try facts.items(config)?.classes.count
                // The head is sized from the labels; a different declared count would be silently wrong.
                if let declared = config.model.classes, let counted, counted != declared {
                    errors.append(ConfigError(location: loaded.location(of: "model.classes"), keyPath: "model.classes",
                                              expected: "\(counted) (the classes the data's labels give)",
                                              found: "\(declared)", suggestion: "remove `classes` or fix the labels"))
                }
            } catch {
                errors.append(ConfigError(location: loaded.location(of: "data.path"), keyPath: "data", expected: "",
                                          found: "", problem: "\(error)"))
            }
        }
        errors += ModelCheck.errors(in: loaded, facts: facts)
        guard errors.isEmpty else { throw ConfigErrors(errors.reduce(into: []) { if !$0.contains($1) { $0.append($1) } }) }
    }

    public static func errors(in loaded: LoadedConfig, facts: TransferFacts, checkWeights: Bool = true) -> [ConfigError] {
        var errors: [ConfigError] = []
        var checkedWeights = Set<String>()
        for job in loaded.jobs {
            let config = job.config
            for (key, problem) in problems(config, facts: facts, checkWeights: checkWeights, checked: &checkedWeights) {
                let override = job.overrides.first { key.hasPrefix($0.path) || $0.path.hasPrefix(key) }
                let location = override?.location ?? loaded.location(of: key)
                let prefix = loaded.jobs.count > 1 ? "job \(job.id): " : ""
                let item = ConfigError(location: location, keyPath: key, expected: "", found: "",
                                       problem: prefix + problem)
                if !errors.contains(item) { errors.append(item) }
            }
        }
        return errors
    }

    /// One job's problems by key: the model it describes, the image size through it, each stage's
    /// groups and rates, and its weights (once per architecture and file in `checked`).
    private static func problems(_ config: ExperimentConfig, facts: TransferFacts, checkWeights: Bool,
                                 checked: inout Set<String>) -> [(ConfigPath, String)] {
        // The group structure does not depend on the class count: data that cannot be listed
        // (reported by `check`) still lets the model be checked.
        let classes = ((try? facts.classCount(config)) ?? nil) ?? (try? facts.fallbackClasses(config)) ?? 2
        let model: TransferModel
        do {
            model = try facts.model(config, classes: classes)
        } catch let failure as TransferError {
            return [(keyPath(of: failure, config.model), failure.description)]
        } catch {
            return [("model", "\(error)")]
        }
        var found: [(ConfigPath, String)] = []
        let sizes: [(ConfigPath, Int)] = [("data.size", config.data.size)]
            + (config.pretrainExperiment.map { [(ConfigPath("pretrain.data.size"), $0.data.size)] } ?? [])
        for (key, size) in sizes {
            if let problem = planeProblem(model, size: size, arch: config.model.arch.rawValue) { found.append((key, problem)) }
        }
        found += scheduleProblems(config, groups: model.groups.count)
        // ImageNet weights not downloaded yet are checked when they are: validation never fetches.
        if checkWeights, let weights = config.model.weights, weights != .pretrain,
           PretrainedWeights.isLocal(weights, arch: config.model.arch),
           checked.insert("\(config.model.arch.rawValue) \(weights)").inserted {
            do {
                try facts.loadWeights(config, classes: classes, readOnly: true)
            } catch {
                found.append(("model.weights", "\(error)"))
            }
        }
        return found
    }

    /// Every stage's `freeze_to` and learning rates (and the pretrain stage's) against the group count.
    private static func scheduleProblems(_ config: ExperimentConfig, groups: Int) -> [(ConfigPath, String)] {
        var found: [(ConfigPath, String)] = []
        let arch = config.model.arch.rawValue
        for (index, stage) in config.schedule.enumerated() {
            if stage.freezeTo < -groups || stage.freezeTo >= groups {
                found.append(("schedule" + index + "freeze_to",
                              "freeze_to \(stage.freezeTo) is outside the model's \(groups) layer groups;"
                              + " use -\(groups)...\(groups - 1) (-1 = all but the head, 0 = all)"))
            }
            do {
                _ = try stage.lr.values(groups: groups)
            } catch {
                found.append(("schedule" + index + "lr", "\(error) (\(arch) has \(groups) layer groups)"))
            }
        }
        if let pretrain = config.pretrainExperiment?.schedule.first {
            do {
                _ = try pretrain.lr.values(groups: groups)
            } catch {
                found.append(("pretrain.lr", "\(error) (\(arch) has \(groups) layer groups)"))
            }
        }
        return found
    }

    /// Why images of `size` pixels cannot go through `model` (a kernel window larger than its padded
    /// input somewhere), with the smallest size that can; nil when they can.
    static func planeProblem(_ model: TransferModel, size: Int, arch: String) -> String? {
        do {
            _ = try model.plane(after: PlaneSize(height: size, width: size))
            return nil
        } catch {
            let smallest = (size...4096).first { (try? model.plane(after: PlaneSize(height: $0, width: $0))) != nil }
            return "images of \(size) px are too small for \(arch): \(error)"
                + (smallest.map { "; the smallest size that fits is \($0)" } ?? "")
        }
    }

    /// What running the experiment would download first (weights and datasets not in the cache).
    public static func pendingDownloads(_ loaded: LoadedConfig) -> [String] {
        var notes: [String] = []
        for job in loaded.jobs {
            for config in job.config.withPretraining {
                for note in [PretrainedWeights.pendingDownload(config.model.weights, arch: config.model.arch),
                             RemoteDataset.pendingDownload(config.data)].compactMap({ $0 }) where !notes.contains(note) {
                    notes.append(note)
                }
            }
        }
        return notes
    }

    /// The key a transfer error is about.
    private static func keyPath(of failure: TransferError, _ model: ModelConfig) -> ConfigPath {
        switch failure {
        case .cutOutOfRange, .noPoolingChild, .emptyBody, .bodyKeepsClassifier:
            return model.meta != nil ? "model.meta" : "model.cut"
        case let .unknownChild(_, name, _, _):
            if case .name(name)? = model.cut { return "model.cut" }
            return "model.split"
        case .splitOutOfRange, .splitNotIncreasing, .defaultSplitOutsideBody:
            return model.meta != nil ? "model.meta" : (model.split != nil ? "model.split" : "model.cut")
        case .noLegacyMeta:
            return "preset"
        case .badHead:
            return "model.head"
        case .oneGroup, .freezeOutOfRange:
            return "schedule"
        }
    }
}
