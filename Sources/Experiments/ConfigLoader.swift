// ConfigLoader: loads an experiment file — parse, apply `--set` overrides, fill defaults, validate, expand the sweep.

import Foundation

public enum ConfigLoader {
    public struct Options: Sendable {
        /// Check that data folders, CSV files and weights files exist; tests of the bundled configs turn it off.
        public var checkFiles: Bool
        /// Relative paths in the file are relative to this directory; nil means the working directory.
        public var baseDirectory: String?

        public init(checkFiles: Bool = true, baseDirectory: String? = nil) {
            self.checkFiles = checkFiles
            self.baseDirectory = baseDirectory
        }

        func resolve(_ path: String) -> String {
            guard !path.hasPrefix("/") else { return path }
            let base = baseDirectory ?? FileManager.default.currentDirectoryPath
            return URL(fileURLWithPath: base).appendingPathComponent(path).path
        }
    }

    public static func load(path: String, overrides: [String] = [], options: Options = Options())
        throws(ConfigErrors) -> LoadedConfig {
        // Refused before reading: a huge file should not be loaded to learn that it is too large.
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        if let error = ConfigNode.sizeError(bytes: size, path: path) { throw ConfigErrors([error]) }
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigErrors([ConfigError(location: .wholeFile(path: path), keyPath: ConfigPath(),
                                            expected: "a readable UTF-8 file", found: "an unreadable file",
                                            problem: "cannot read the experiment file: \(error.localizedDescription)")])
        }
        return try load(yaml: text, path: path, overrides: overrides, options: options)
    }

    /// `path` names the text in messages and gives the default experiment name.
    public static func load(yaml: String, path: String, overrides: [String] = [], options: Options = Options())
        throws(ConfigErrors) -> LoadedConfig {
        var tree: ConfigNode
        do {
            tree = try ConfigNode.parse(yaml: yaml, path: path)
        } catch {
            throw ConfigErrors([error])
        }
        if tree.isNull, tree.scalar?.text == "" {
            tree = ConfigNode(.mapping([]), at: tree.location)
        }

        var errors: [ConfigError] = []
        var applied: [Override] = []
        for argument in overrides {
            do {
                let override = try Override.parse(argument)
                try override.apply(to: &tree, schema: ExperimentConfig.schema)
                applied.append(override)
            } catch {
                errors.append(error)
            }
        }

        let defaultName = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        let reader = ConfigReader(options: options)
        let base = ExperimentConfig.read(tree, reader, defaultName: defaultName)
        errors += reader.errors

        var jobs: [Job] = []
        if let base, let sweep = base.sweep {
            let expanded = expand(sweep, tree: tree, options: options, defaultName: defaultName)
            jobs = expanded.jobs
            errors += expanded.errors
        } else if let base {
            jobs = [Job(id: Preset.singleJobID, overrides: [], config: base)]
        }

        guard errors.isEmpty, let base else { throw ConfigErrors.ordered(errors) }
        return LoadedConfig(path: path, text: yaml, config: base, overrides: applied, jobs: jobs,
                            locations: tree.locations())
    }

    /// resolved.yaml: every setting spelt out, keys in schema order, numbers in their shortest exact form.
    public static func render(_ config: ExperimentConfig) -> String {
        YAMLWriter.document(config.node)
    }

    /// Applies each point of the sweep to the tree without its `sweep` key and validates it as a whole file.
    /// A bad key path is reported once, at the sweep key, rather than once per job.
    private static func expand(_ sweep: SweepConfig, tree: ConfigNode, options: Options,
                               defaultName: String) -> (jobs: [Job], errors: [ConfigError]) {
        var base = tree
        if case let .mapping(entries) = tree.kind {
            base.kind = .mapping(entries.filter { $0.key != ExperimentConfig.Key.sweep.rawValue })
        }
        var errors: [ConfigError] = []
        for axis in sweep.axes {
            var scratch = base
            do {
                try Override(path: axis.path, value: axis.values[0], location: axis.keyLocation)
                    .apply(to: &scratch, schema: ExperimentConfig.schema)
            } catch {
                errors.append(error)
            }
        }
        guard errors.isEmpty else { return ([], errors) }

        var jobs: [Job] = []
        var ids = Set<String>()
        for overrides in sweep.combinations() {
            var jobTree = base
            do {
                for override in overrides { try override.apply(to: &jobTree, schema: ExperimentConfig.schema) }
            } catch {
                errors.append(error)
                continue
            }
            let reader = ConfigReader(options: options)
            guard let config = ExperimentConfig.read(jobTree, reader, defaultName: defaultName) else {
                errors += reader.errors
                continue
            }
            errors += reader.errors
            var id = sweep.jobID(for: overrides)
            // Different values can sanitise to the same text ("a b" and "a-b"); ids must still be unique.
            if ids.contains(id) {
                var n = 2
                while ids.contains("\(id)~\(n)") { n += 1 }
                id = "\(id)~\(n)"
            }
            ids.insert(id)
            jobs.append(Job(id: id, overrides: overrides, config: config))
        }
        return (jobs, errors)
    }
}
