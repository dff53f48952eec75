// SchemaWalkTests: every key of the experiment schema changes the plan, or another effect the table names (issue 16).
//
// The test walks `ExperimentConfig.schema` to every leaf key path (list items at index 0) and holds
// one table entry per path: a base config, a value set with the `--set` override mechanism, and the
// effect that value must have. Most keys must change at least one node hash of the planned graph; a
// few legitimately do not (the run's name, a stage's name, a version with one legal value, the
// sweep) and the table says what is checked instead. A key added to the schema without an entry, or
// an entry whose key left the schema, fails `testTheTableCoversEveryKeyOfTheSchema` by name.

@testable import Experiments
import Foundation
@testable import Training
import XCTest

final class SchemaWalkTests: XCTestCase {
    // MARK: The table

    /// What setting the key must do.
    enum Effect {
        /// At least one node of the planned graph gets another hash.
        case plan
        /// The plan's node names change (a stage's name names its checkpoint files and log rows;
        /// the node's identity is its content, so its hash may stay).
        case stageNames
        /// The run directory `runs/<name>/…` changes.
        case runDirectory
        /// The loaded file expands to this many jobs (and the plan has as many).
        case jobs(Int)
        /// The key has one legal value: any other is refused when loading.
        case onlyLegalValue
        /// The options of every `sbatch` that `runner submit` makes change (`cluster`).
        case submission
        /// The MLflow server or experiment the run logs to changes (`tracking`).
        case tracking
        /// How many threads train, which under reproducible numerics changes no node: the plan's
        /// hashes must stay the same (under fast numerics NodeIdentityTests checks that they change).
        case threads
        /// Whether a stage trains from cached features, which gives the same numbers: some stage's
        /// plan changes, and no node's hash.
        case precompute
    }

    /// A base config; each is small (resnet18, 32 px, a few images) and plans without training.
    enum Base: String, CaseIterable {
        /// The embedded dataset, meta [8, 6], fastai1.
        case generated
        /// As `generated`, under the fastai2 preset (for keys fastai1 refuses).
        case fastai2
        /// As `generated`, with an SGD optimiser (for `momentum`).
        case sgd
        /// As `generated`, with `train.early_stopping` written out.
        case earlyStopping
        /// As `generated`, with explicit `data.normalize` statistics.
        case normalize
        /// As `generated`, with a top-k metric whose `k` is written.
        case topK
        /// As `generated`, with `model: {cut, split}` instead of `meta`.
        case cutSplit
        /// As `generated`, with a weights file given as `{path, key, strip_prefix}`.
        case weightsFile
        /// A folder source labelled by folder.
        case folder
        /// A folder source labelled by a regex on the file name.
        case folderFilename
        /// A folder source split by `train/` and `valid/` folders.
        case folderSplit
        /// A CSV source, split at random.
        case csv
        /// A CSV source split by a column.
        case csvSplit
        /// A downloaded archive (`source: url`); planning does not download it.
        case url
        /// A dataset fastai's `URLs` names (`source: fastai`); planning does not download it.
        case fastai
        /// `model.weights: pretrain` with a `pretrain` section on generated data; the `pretrain…` bases
        /// below give the pretraining task each data source of the bases above.
        case pretrainGenerated
        case pretrainNormalize
        case pretrainFolder
        case pretrainFilename
        case pretrainSplit
        case pretrainCSV
        case pretrainCSVSplit
        case pretrainURL
        case pretrainFastai
        /// As `generated`, logging to an MLflow server.
        case tracked
        /// As `generated` under fastai07, squished and not augmented: its frozen stages precompute.
        case fixed

        /// The base whose pretraining data is this base's experiment data, for deriving the
        /// `pretrain.data.…` entries from the `data.…` ones.
        var pretrainCounterpart: Base? {
            switch self {
            case .generated: return .pretrainGenerated
            case .normalize: return .pretrainNormalize
            case .folder: return .pretrainFolder
            case .folderFilename: return .pretrainFilename
            case .folderSplit: return .pretrainSplit
            case .csv: return .pretrainCSV
            case .csvSplit: return .pretrainCSVSplit
            case .url: return .pretrainURL
            case .fastai: return .pretrainFastai
            default: return nil
            }
        }

        var yaml: String {
            let f = SchemaWalkTests.fixtures
            let generated = "{source: generated, variant: target, classes: 3, images_per_class: 4, size: 32}"
            let folder = "{source: folder, path: \(f)/pets, labels: {from: folder}, size: 32}"
            let filename = "{source: folder, path: \(f)/pets, labels: {from: filename, pattern: '^(.+)_\\d+\\.jpg$'},"
                + " size: 32}"
            let split = "{source: folder, path: \(f)/split, valid: {folder: valid, train: train}, size: 32}"
            let csv = "{source: csv, path: \(f)/csv, labels: {from: csv, file: \(f)/csv/labels.csv}, size: 32}"
            let csvSplit = "{source: csv, path: \(f)/csv, labels: {from: csv, file: \(f)/csv/labels.csv},"
                + " valid: {csv_column: is_valid}, size: 32}"
            let url = "{source: url, url: 'https://example.com/images.tgz',"
                + " sha256: \(String(repeating: "a", count: 64)), path: images, size: 32}"
            let fastai = "{source: fastai, name: oxford-iiit-pet, size: 32}"
            let normalize = "{mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25]}"
            let meta = "{arch: resnet18, meta: [8, 6]}"
            func plain(_ data: String, preset: String = "fastai1", model: String = meta,
                       train: String = "{metrics: [error_rate]}") -> String {
                SchemaWalkTests.file(preset: preset, data: data, model: model, train: train)
            }
            /// The experiment on the generated target task, its body pretrained on `data` laid over it.
            func transfer(_ data: String) -> String {
                SchemaWalkTests.file(data: generated, model: "{arch: resnet18, meta: [8, 6], weights: pretrain}",
                                     pretrain: "{data: \(data), epochs: 1, lr: 1e-3}")
            }
            switch self {
            case .generated: return plain(generated)
            case .fastai2: return plain(generated, preset: "fastai2")
            case .sgd: return plain(generated, train: "{optimizer: {name: sgd}}")
            case .earlyStopping:
                return plain(generated, train: "{early_stopping: {monitor: valid_loss, patience: 1, min_delta: 0}}")
            case .normalize:
                return plain("{source: generated, variant: target, classes: 3, images_per_class: 4, size: 32,"
                             + " normalize: \(normalize)}")
            case .topK: return plain(generated, train: "{metrics: [error_rate, {name: top_k_accuracy, k: 3}]}")
            case .cutSplit: return plain(generated, model: "{arch: resnet18, cut: -2, split: [6]}")
            case .weightsFile:
                return plain(generated, model: "{arch: resnet18, meta: [8, 6],"
                             + " weights: {path: \(f)/w.safetensors, key: model, strip_prefix: 'module.'}}")
            case .folder: return plain(folder)
            case .folderFilename: return plain(filename)
            case .folderSplit: return plain(split)
            case .csv: return plain(csv)
            case .csvSplit: return plain(csvSplit)
            case .url: return plain(url)
            case .fastai: return plain(fastai)
            case .pretrainGenerated: return transfer("{classes: 5}")
            case .pretrainNormalize: return transfer("{classes: 5, normalize: \(normalize)}")
            case .pretrainFolder: return transfer(folder)
            case .pretrainFilename: return transfer(filename)
            case .pretrainSplit: return transfer(split)
            case .pretrainCSV: return transfer(csv)
            case .pretrainCSVSplit: return transfer(csvSplit)
            case .pretrainURL: return transfer(url)
            case .pretrainFastai: return transfer(fastai)
            case .tracked: return plain(generated) + "\ntracking: {mlflow: 'http://127.0.0.1:5000'}\n"
            case .fixed:
                return plain("{source: generated, variant: target, classes: 3, images_per_class: 4, size: 32,"
                             + " resize: squish, augment: none}", preset: "fastai07")
            }
        }
    }

    struct Entry {
        /// The key path under test, as `--set` spells it.
        var key: String
        var base: Base
        /// The value set at `key`, as YAML.
        var value: String
        var effect: Effect = .plan
        /// Overrides the key cannot be set without (applied to the changed config only), e.g. the
        /// `pattern` that `labels.from: filename` needs.
        var with: [String] = []
        /// Below a free-form value of the schema (`model.weights.key`) or a mapping key that also
        /// takes a scalar (`data.augment: none`), rather than a leaf of the walk.
        var extra = false

        var overrides: [String] { with + ["\(key)=\(value)"] }
        var section: String { String(key.prefix { $0 != "." }) }
    }

    static let dataEntries: [Entry] = {
        let f = fixtures
        return [
            // No source takes another's keys (generated data refuses `path`, csv needs its labels file).
            Entry(key: "data.source", base: .folder, value: "csv",
                  with: ["data.path=\(f)/csv", "data.labels={from: csv, file: \(f)/csv/labels.csv}"]),
            Entry(key: "data.path", base: .folder, value: "\(f)/byfolder"),
            Entry(key: "data.labels.from", base: .folder, value: "filename",
                  with: [#"data.labels.pattern='^(.+)_\d+\.jpg$'"#]),
            Entry(key: "data.labels.pattern", base: .folderFilename, value: "'^(.)'"),
            Entry(key: "data.labels.file", base: .csv, value: "\(f)/csv/labels2.csv"),
            Entry(key: "data.labels.path_column", base: .csv, value: "name2"),
            Entry(key: "data.labels.label_column", base: .csv, value: "label2"),
            Entry(key: "data.valid.pct", base: .generated, value: "0.3"),
            Entry(key: "data.valid.seed", base: .generated, value: "7"),
            Entry(key: "data.valid.folder", base: .folderSplit, value: "valid2"),
            Entry(key: "data.valid.train", base: .folderSplit, value: "train2"),
            Entry(key: "data.valid.csv_column", base: .csvSplit, value: "is_valid2"),
            Entry(key: "data.size", base: .generated, value: "48"),
            Entry(key: "data.resize", base: .generated, value: "squish"),
            Entry(key: "data.batch_size", base: .generated, value: "16"),
            Entry(key: "data.augment.flip", base: .generated, value: "false"),
            Entry(key: "data.augment.max_rotate", base: .generated, value: "20"),
            Entry(key: "data.augment.max_zoom", base: .generated, value: "1.2"),
            Entry(key: "data.augment.max_lighting", base: .generated, value: "0.3"),
            Entry(key: "data.augment.max_warp", base: .generated, value: "0.3"),
            Entry(key: "data.augment.p_affine", base: .generated, value: "0.5"),
            Entry(key: "data.augment.p_lighting", base: .generated, value: "0.5"),
            Entry(key: "data.augment", base: .generated, value: "none", extra: true),
            Entry(key: "data.normalize.mean", base: .normalize, value: "[0.4, 0.4, 0.4]"),
            Entry(key: "data.normalize.std", base: .normalize, value: "[0.3, 0.3, 0.3]"),
            Entry(key: "data.normalize", base: .generated, value: "none", extra: true),
            Entry(key: "data.bad_files", base: .generated, value: "skip"),
            Entry(key: "data.variant", base: .generated, value: "source"),
            Entry(key: "data.classes", base: .generated, value: "4"),
            Entry(key: "data.images_per_class", base: .generated, value: "5"),
            Entry(key: "data.url", base: .url, value: "'https://example.com/other.tgz'"),
            Entry(key: "data.sha256", base: .url, value: String(repeating: "b", count: 64)),
            Entry(key: "data.name", base: .fastai, value: "mnist_png"),
            Entry(key: "data.max_pixels", base: .generated, value: "1000000"),
        ]
    }()

    /// Every `data.…` entry again under `pretrain.data`, on the base whose pretraining task has that
    /// entry's kind of data (`pretrain.data` is laid over the experiment's `data`).
    static let pretrainDataEntries: [Entry] = dataEntries.map { entry in
        guard let base = entry.base.pretrainCounterpart else {
            preconditionFailure("data entry \(entry.key) has no pretrain counterpart of base \(entry.base)")
        }
        var derived = entry
        derived.key = "pretrain." + entry.key
        derived.base = base
        derived.with = entry.with.map { "pretrain." + $0 }
        return derived
    }

    static let entries: [Entry] = [
        Entry(key: "version", base: .generated, value: "2", effect: .onlyLegalValue),
        Entry(key: "name", base: .generated, value: "renamed", effect: .runDirectory),
        Entry(key: "seed", base: .generated, value: "7"),
        Entry(key: "preset", base: .generated, value: "fastai2"),
        Entry(key: "sweep", base: .generated, value: "{seed: [1, 2]}", effect: .jobs(2)),
    ] + dataEntries + [
        Entry(key: "model.arch", base: .generated, value: "resnet34"),
        Entry(key: "model.weights", base: .generated, value: "imagenet"),
        Entry(key: "model.weights.path", base: .weightsFile, value: "\(fixtures)/other.safetensors", extra: true),
        Entry(key: "model.weights.key", base: .weightsFile, value: "state_dict", extra: true),
        Entry(key: "model.weights.strip_prefix", base: .weightsFile, value: "'net.'", extra: true),
        Entry(key: "model.cut", base: .cutSplit, value: "-3"),
        Entry(key: "model.meta", base: .generated, value: "[8, 5]"),
        Entry(key: "model.meta.0", base: .generated, value: "7", extra: true),
        Entry(key: "model.meta.1", base: .generated, value: "5", extra: true),
        Entry(key: "model.split", base: .cutSplit, value: "[5]"),
        Entry(key: "model.head.lin_ftrs", base: .generated, value: "[256]"),
        Entry(key: "model.head.ps", base: .generated, value: "0.25"),
        Entry(key: "model.head.concat_pool", base: .generated, value: "false"),
        Entry(key: "model.head.bn_final", base: .generated, value: "true"),
        Entry(key: "model.head.first_bn", base: .fastai2, value: "false"),
        Entry(key: "model.head.lin_first", base: .fastai2, value: "true"),
        // `classes` sizes the head while the data cannot be listed yet (a download not made); data that
        // can be listed must give the same count (ModelCheck, and the loader for generated data), so
        // the base is one whose data is not there.
        Entry(key: "model.classes", base: .url, value: "5"),

        Entry(key: "train.loss", base: .generated, value: "nll", effect: .onlyLegalValue),
        Entry(key: "train.label_smoothing", base: .generated, value: "0.1"),
        Entry(key: "train.metrics", base: .generated, value: "[accuracy]"),
        Entry(key: "train.metrics.1.k", base: .topK, value: "2", extra: true),
        Entry(key: "train.optimizer.name", base: .generated, value: "sgd"),
        Entry(key: "train.optimizer.wd", base: .generated, value: "0.1"),
        Entry(key: "train.optimizer.betas", base: .generated, value: "[0.8, 0.9]"),
        Entry(key: "train.optimizer.eps", base: .generated, value: "1e-6"),
        Entry(key: "train.optimizer.true_wd", base: .generated, value: "false"),
        Entry(key: "train.optimizer.bn_wd", base: .generated, value: "false"),
        Entry(key: "train.optimizer.momentum", base: .sgd, value: "0.8"),
        Entry(key: "train.train_bn", base: .generated, value: "false"),
        Entry(key: "train.bn_stats", base: .generated, value: "freeze"),
        // The effective thread count is part of every stage's identity while results depend on it.
        Entry(key: "train.threads", base: .generated, value: "97", effect: .threads),
        Entry(key: "train.precompute", base: .fixed, value: "false", effect: .precompute),
        Entry(key: "train.early_stopping.monitor", base: .earlyStopping, value: "accuracy"),
        Entry(key: "train.early_stopping.patience", base: .earlyStopping, value: "2"),
        Entry(key: "train.early_stopping.min_delta", base: .earlyStopping, value: "0.01"),

        Entry(key: "schedule.0.name", base: .generated, value: "head", effect: .stageNames),
        Entry(key: "schedule.0.freeze_to", base: .generated, value: "0"),
        Entry(key: "schedule.0.epochs", base: .generated, value: "2"),
        Entry(key: "schedule.0.lr", base: .generated, value: "1e-2"),
        Entry(key: "schedule.0.policy", base: .generated, value: "cosine"),
        Entry(key: "schedule.0.pct_start", base: .generated, value: "0.5"),
        Entry(key: "schedule.0.div", base: .generated, value: "10"),
        Entry(key: "schedule.0.final_div", base: .generated, value: "100"),
        Entry(key: "schedule.0.moms", base: .generated, value: "[0.9, 0.8]"),
    ] + pretrainDataEntries + [
        Entry(key: "pretrain.epochs", base: .pretrainGenerated, value: "2"),
        Entry(key: "pretrain.lr", base: .pretrainGenerated, value: "1e-2"),
        Entry(key: "pretrain.policy", base: .pretrainGenerated, value: "cosine"),
        Entry(key: "pretrain.pct_start", base: .pretrainGenerated, value: "0.5"),
        Entry(key: "pretrain.div", base: .pretrainGenerated, value: "10"),
        Entry(key: "pretrain.final_div", base: .pretrainGenerated, value: "100"),
        Entry(key: "pretrain.moms", base: .pretrainGenerated, value: "[0.9, 0.8]"),

        Entry(key: "cluster.partition", base: .generated, value: "gpu", effect: .submission),
        Entry(key: "cluster.account", base: .generated, value: "lab", effect: .submission),
        Entry(key: "cluster.time", base: .generated, value: "1:00:00", effect: .submission),
        // Also the thread count the submitted nodes are planned with (ClusterSettings.cpusPerTask).
        Entry(key: "cluster.cpus_per_task", base: .generated, value: "4", effect: .submission),
        Entry(key: "cluster.mem", base: .generated, value: "8G", effect: .submission),
        Entry(key: "cluster.extra", base: .generated, value: "[--qos=high]", effect: .submission),

        Entry(key: "tracking.mlflow", base: .tracked, value: "http://mlflow.lab:5000", effect: .tracking),
        Entry(key: "tracking.experiment", base: .tracked, value: "pets", effect: .tracking),
    ]

    // MARK: Files

    /// A whole experiment file with a two-stage schedule.
    static func file(preset: String = "fastai1", data: String, model: String, train: String = "{metrics: [error_rate]}",
                     pretrain: String? = nil) -> String {
        """
        version: 1
        preset: \(preset)
        data: \(data)
        model: \(model)
        train: \(train)
        schedule:
          - {name: frozen, freeze_to: -1, epochs: 1, lr: 1e-3, policy: one_cycle}
          - {name: unfrozen, freeze_to: 0, epochs: 1, lr: slice(1e-5, 1e-3)}
        """ + (pretrain.map { "\npretrain: \($0)" } ?? "") + "\n"
    }

    /// Image folders and CSV files for the folder and CSV sources. The files are empty: planning
    /// lists and labels them (for the class count) but never decodes them.
    static let fixtures: String = {
        let root = FileManager.default.temporaryDirectory
            .appendingPathComponent("SchemaWalkTests-\(getpid())-\(UUID().uuidString.prefix(8))").path
        func touch(_ relative: String, _ text: String = "") {
            let path = (root as NSString).appendingPathComponent(relative)
            try? FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent,
                                                     withIntermediateDirectories: true)
            _ = FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
        }
        // Labelled a, b, c by folder, and cat, dog, bird by file name.
        for (i, folder) in ["a", "b", "c"].enumerated() {
            for animal in ["cat", "dog", "bird"] { touch("pets/\(folder)/\(animal)_\(i + 1).jpg") }
        }
        for folder in ["a", "b", "c", "d"] { for n in 1...2 { touch("byfolder/\(folder)/\(n).jpg") } }
        for part in ["train", "valid", "train2", "valid2"] {
            for folder in ["a", "b", "c"] { for n in 1...2 { touch("split/\(part)/\(folder)/\(n).jpg") } }
        }
        var rows = ["name,label,is_valid,name2,label2,is_valid2"]
        for i in 0..<12 {
            touch("csv/images/\(i).jpg")
            rows.append("images/\(i).jpg,\(["a", "b", "c"][i % 3]),\(i % 4 == 0),images/\(11 - i).jpg,"
                        + "\(["x", "y"][i % 2]),\(i % 4 == 1)")
        }
        touch("csv/labels.csv", rows.joined(separator: "\n") + "\n")
        touch("csv/labels2.csv", rows.prefix(9).joined(separator: "\n") + "\n")
        // Planning reads a weights file's digest, not its tensors; different bytes, different content.
        touch("w.safetensors", "one")
        touch("other.safetensors", "two")
        return root
    }()

    /// The cache is a folder of the fixtures while these tests run: no dataset is found unpacked
    /// there, and digests the planner records stay out of the user's cache.
    private var savedCache: String?

    override func setUp() {
        super.setUp()
        savedCache = ProcessInfo.processInfo.environment["RUNNER_CACHE"]
        setenv("RUNNER_CACHE", (Self.fixtures as NSString).appendingPathComponent("cache"), 1)
    }

    override func tearDown() {
        if let savedCache { setenv("RUNNER_CACHE", savedCache, 1) } else { unsetenv("RUNNER_CACHE") }
        super.tearDown()
    }

    override class func tearDown() {
        try? FileManager.default.removeItem(atPath: fixtures)
        super.tearDown()
    }

    // MARK: The schema walk

    /// Every leaf key path of `schema`: list items at index 0.
    static func leaves(_ schema: ConfigSchema, _ path: [String] = []) -> [String] {
        switch schema {
        case .value: return [path.joined(separator: ".")]
        case let .fields(pairs): return pairs.flatMap { leaves($0.1, path + [$0.0]) }
        case let .list(item): return leaves(item, path + ["0"])
        }
    }

    /// Whether `key` names something the schema has: a leaf, a mapping, or a place inside a free-form
    /// value (which the schema cannot describe further).
    static func schemaHas(_ key: String, _ schema: ConfigSchema = ExperimentConfig.schema) -> Bool {
        var node = schema
        for component in key.split(separator: ".", omittingEmptySubsequences: false).map(String.init) {
            switch node {
            case .value: return true
            case .fields: guard let child = node.child(component) else { return false }; node = child
            case let .list(item): guard Int(component) != nil else { return false }; node = item
            }
        }
        return true
    }

    func testTheTableCoversEveryKeyOfTheSchema() {
        let leaves = Self.leaves(ExperimentConfig.schema)
        XCTAssertGreaterThan(leaves.count, 100, "the walk found too few keys: \(leaves)")
        XCTAssertEqual(Set(leaves).count, leaves.count, "the walk found a key twice")
        let keys = Self.entries.map(\.key)
        for leaf in leaves where !keys.contains(leaf) {
            XCTFail("schema key `\(leaf)` has no entry in SchemaWalkTests.entries:"
                    + " add one that shows it changes the plan")
        }
        for entry in Self.entries {
            if !Self.schemaHas(entry.key) {
                XCTFail("entry `\(entry.key)` names a key that is no longer in the schema")
            } else if !entry.extra && !leaves.contains(entry.key) {
                XCTFail("entry `\(entry.key)` is not a leaf of the schema; mark it `extra` if it is meant to be")
            } else if entry.extra && leaves.contains(entry.key) {
                XCTFail("entry `\(entry.key)` is a leaf of the schema; it should not be marked `extra`")
            }
        }
        var seen = Set<String>()
        for key in keys where !seen.insert(key).inserted { XCTFail("entry `\(key)` is in the table twice") }
    }

    // MARK: Loading and planning

    private func load(_ base: Base, _ overrides: [String] = []) throws -> LoadedConfig {
        try ConfigLoader.load(yaml: base.yaml, path: "walk.yaml", overrides: overrides,
                              options: .init(checkFiles: false))
    }

    private func plan(_ loaded: LoadedConfig) throws -> JobGraph {
        try Planner.plan(loaded, facts: TransferFacts { config in try DataFactory.classCount(config) ?? 3 })
    }

    /// Base plans, planned once each: every model build costs time.
    private static var basePlans: [Base: JobGraph] = [:]

    private func basePlan(_ base: Base, _ loaded: LoadedConfig) throws -> JobGraph {
        if let cached = Self.basePlans[base] { return cached }
        let graph = try plan(loaded)
        Self.basePlans[base] = graph
        return graph
    }

    func testEveryBaseLoadsAndPlans() {
        for base in Base.allCases {
            do {
                let loaded = try load(base)
                let graph = try basePlan(base, loaded)
                XCTAssertEqual(graph.jobs.count, 1, "base \(base)")
                // Otherwise a key could seem to change the plan when planning itself varies.
                XCTAssertEqual(try plan(try load(base)).nodes.map(\.hash), graph.nodes.map(\.hash),
                               "base \(base) plans differently the second time")
                let expectedKinds: [JobGraph.Kind] = base.rawValue.hasPrefix("pretrain")
                    ? [.data, .cache, .model, .pretrain, .data, .cache, .model, .stage, .stage, .evaluate]
                    : [.data, .cache, .model, .stage, .stage, .evaluate]
                XCTAssertEqual(graph.jobs.first?.nodes.compactMap { graph.node($0)?.kind }, expectedKinds,
                               "base \(base)")
            } catch {
                XCTFail("base \(base) does not load and plan: \(error)")
            }
        }
    }

    private func check(_ entry: Entry, file: StaticString = #filePath, line: UInt = #line) {
        let what = "`\(entry.key)` set to `\(entry.value)` on base \(entry.base)"
            + (entry.with.isEmpty ? "" : " (with \(entry.with.joined(separator: ", ")))")
        let base: LoadedConfig
        do {
            base = try load(entry.base)
        } catch {
            return XCTFail("\(what): the base does not load: \(error)", file: file, line: line)
        }
        if case .onlyLegalValue = entry.effect {
            XCTAssertThrowsError(try load(entry.base, entry.overrides), "\(what): a second legal value; the key must"
                                 + " now change the plan or another effect", file: file, line: line)
            return
        }
        let changed: LoadedConfig
        do {
            changed = try load(entry.base, entry.overrides)
        } catch {
            return XCTFail("\(what): refused — pick another alternative value: \(error)", file: file, line: line)
        }
        guard changed.config != base.config || changed.jobs != base.jobs else {
            return XCTFail("\(what): the resolved config is the same as the base's — the key does not reach it",
                           file: file, line: line)
        }
        if case .submission = entry.effect {
            XCTAssertNotEqual(ClusterSettings(config: base.config).options, ClusterSettings(config: changed.config).options,
                              "\(what): the sbatch options are the same", file: file, line: line)
            return
        }
        if case .tracking = entry.effect {
            func target(_ config: ExperimentConfig) -> String? {
                config.tracking.map {
                    MLflowTracker(run: URL(fileURLWithPath: "/runs/\(config.name)/run"), client: MLflowClient(trackingURI: $0.mlflow),
                                  experiment: $0.experiment).folder
                }
            }
            XCTAssertNotEqual(target(base.config), target(changed.config), "\(what): the MLflow target is the same",
                              file: file, line: line)
            return
        }
        if case .runDirectory = entry.effect {
            do {
                let root = (Self.fixtures as NSString).appendingPathComponent("runs")
                let before = try RunStore(root: root, name: base.config.name, configHash: "0").directory
                let after = try RunStore(root: root, name: changed.config.name, configHash: "0").directory
                XCTAssertNotEqual(before.deletingLastPathComponent(), after.deletingLastPathComponent(),
                                  "\(what): the run directory's parent is the same", file: file, line: line)
            } catch {
                XCTFail("\(what): \(error)", file: file, line: line)
            }
            return
        }
        let before: JobGraph, after: JobGraph
        do {
            before = try basePlan(entry.base, base)
            after = try plan(changed)
        } catch {
            return XCTFail("\(what): planning failed: \(error)", file: file, line: line)
        }
        switch entry.effect {
        case .plan:
            let hashes = Set(before.nodes.map(\.hash)), changedHashes = Set(after.nodes.map(\.hash))
            XCTAssertTrue(hashes != changedHashes, "\(what): no node of the plan changes its hash — the key does"
                          + " not reach the plan", file: file, line: line)
        case .stageNames:
            XCTAssertTrue(before.nodes.map(\.name) != after.nodes.map(\.name),
                          "\(what): the plan's node names are the same", file: file, line: line)
        case let .jobs(count):
            XCTAssertNotEqual(base.jobs.count, count, "\(what): the base already has \(count) jobs",
                              file: file, line: line)
            XCTAssertEqual(changed.jobs.count, count, "\(what): jobs", file: file, line: line)
            XCTAssertEqual(after.jobs.count, count, "\(what): planned jobs", file: file, line: line)
        case .threads:
            XCTAssertEqual(before.nodes.map(\.hash), after.nodes.map(\.hash),
                           "\(what): a node changed — reproducible results must not depend on the thread count",
                           file: file, line: line)
        case .precompute:
            XCTAssertEqual(before.nodes.map(\.hash), after.nodes.map(\.hash),
                           "\(what): a node changed — cached features must give the same numbers", file: file, line: line)
            XCTAssertNotEqual(before.nodes.map(\.stage?.precompute), after.nodes.map(\.stage?.precompute),
                              "\(what): no stage changed whether it precomputes", file: file, line: line)
        case .onlyLegalValue, .runDirectory, .submission, .tracking:
            break
        }
    }

    private func checkSection(_ section: String, file: StaticString = #filePath, line: UInt = #line) {
        let entries = Self.entries.filter { $0.section == section }
        XCTAssertFalse(entries.isEmpty, "no entries in section \(section)", file: file, line: line)
        for entry in entries { check(entry, file: file, line: line) }
    }

    func testTopLevelKeys() {
        let topLevel = Self.entries.filter { !$0.key.contains(".") }.map(\.section)
        XCTAssertEqual(Set(topLevel), ["version", "name", "seed", "preset", "sweep"])
        for section in topLevel { checkSection(section) }
    }

    func testDataKeys() { checkSection("data") }

    func testModelKeys() { checkSection("model") }

    func testTrainKeys() { checkSection("train") }

    func testScheduleKeys() { checkSection("schedule") }

    func testPretrainKeys() { checkSection("pretrain") }

    func testClusterKeys() { checkSection("cluster") }

    func testTrackingKeys() { checkSection("tracking") }

    /// Where results are sent is no node's identity: a tracked run reuses an untracked run's stages.
    func testTrackingLeavesEveryNodeAsItIs() throws {
        XCTAssertEqual(try plan(try load(.tracked)).nodes.map(\.hash), try plan(try load(.generated)).nodes.map(\.hash))
    }

    func testEverySectionIsChecked() {
        let checked: Set<String> = ["version", "name", "seed", "preset", "sweep", "data", "model", "train", "schedule",
                                    "pretrain", "cluster", "tracking"]
        XCTAssertEqual(Set(ExperimentConfig.schema.keyNames), checked, "a new top-level key needs its section checked")
    }
}
