// LRFindRun: fastai's lr_find on an experiment file — a throwaway model, frozen as a stage says, trained while the rate sweeps up.

import Experiments
import Foundation
import Layers
import Optimizers
import Tensors

public enum LRFindError: Error, Equatable, CustomStringConvertible {
    case unknownStage(String, stages: [String])
    case badRange(start: Double, end: Double)
    case badBatchCount(Int)
    case noTrainingBatches(images: Int, batchSize: Int)
    /// The stage starts from another node's output (the pretrain stage, or the stage before it) that
    /// runs/.cache does not hold yet.
    case startNotCached(stage: String, node: String, runs: String)

    public var description: String {
        switch self {
        case let .startNotCached(stage, node, runs):
            return "stage `\(stage)` starts from node \(node), which is not in \(runs)/.cache yet; run the experiment"
                + " (runner run) or its earlier stages first, or pass --from-init to sweep from the initial weights"
        case let .unknownStage(name, stages):
            return "no stage `\(name)`; stages: \(stages.joined(separator: ", "))"
        case let .badRange(start, end):
            return "the sweep needs 0 < start < end, got start \(start), end \(end)"
        case let .badBatchCount(count):
            return "the sweep needs at least 2 batches, got \(count)"
        case let .noTrainingBatches(images, batchSize):
            return "\(images) training images make no full batch of \(batchSize); lower data.batch_size"
        }
    }
}

/// What a sweep found: the rates and smoothed losses up to where it stopped, and fastai's suggestions.
public struct LRFindResult: Sendable {
    public var stage: String
    public var finder: LRFinder
    public var sweep: LRFinder.Sweep
    /// The raw loss of each batch, before smoothing.
    public var rawLosses: [Double]
    public var suggestions: LRFinder.Suggestions?
    /// Each group's rate as a multiple of the swept rate: all 1 as in fastai, or the stage's spread.
    public var stageRatios: [Double]

    public init(stage: String, finder: LRFinder, sweep: LRFinder.Sweep, rawLosses: [Double],
                suggestions: LRFinder.Suggestions?, stageRatios: [Double]) {
        self.stage = stage
        self.finder = finder
        self.sweep = sweep
        self.rawLosses = rawLosses
        self.suggestions = suggestions
        self.stageRatios = stageRatios
    }

    /// The finite points of the smoothed curve, as (rate, loss).
    public var curve: [CurvePlot.Point] {
        zip(sweep.learningRates, sweep.smoothedLosses).filter { $0.1.isFinite }.map { CurvePlot.Point(x: $0.0, y: $0.1) }
    }

    public var stopReason: String {
        sweep.diverged ? "stopped after \(sweep.smoothedLosses.count) batches: the smoothed loss passed 4× its minimum"
                       : "\(sweep.smoothedLosses.count) batches"
    }

    /// fastai's lr_find plot: log rate against smoothed loss. The y range is that of the points
    /// fastai plots and suggests from (the first tenth and the last 5 skipped), so warm-up noise and
    /// the blow-up run off the chart instead of flattening the descent.
    public func plot(title: String) -> CurvePlot {
        let points = curve
        var markers: [CurvePlot.Marker] = []
        if let suggestions {
            markers.append(.init(x: suggestions.steepest, symbol: "1",
                                 label: "steepest slope  " + String(format: "%.2e", suggestions.steepest)))
            markers.append(.init(x: suggestions.minimumDividedBy10, symbol: "2",
                                 label: "minimum / 10    " + String(format: "%.2e", suggestions.minimumDividedBy10)))
        }
        let skipStart = finder.skipStart, skipEnd = LRFinder.skipEnd
        let window = points.count - skipStart - skipEnd >= 2 ? Array(points[skipStart..<(points.count - skipEnd)]) : points
        let losses = window.map(\.y)
        let range = losses.min().flatMap { low in losses.max().map { high in low...high } }
        return CurvePlot(points: points, markers: markers, logX: true, yRange: range, title: title,
                         xLabel: "learning rate (log scale)", yLabel: "smoothed loss")
    }

    /// lr_find.json: the sweep's settings, every rate with its smoothed and raw loss (null when not
    /// finite), and the suggestions.
    public var jsonObject: [String: Any] {
        func number(_ value: Double) -> Any { value.isFinite ? value : NSNull() }
        var object: [String: Any] = [
            "stage": stage, "start": finder.start, "end": finder.end, "iterations": finder.iterations,
            "diverged": sweep.diverged, "group_ratios": stageRatios,
            "learning_rates": sweep.learningRates, "smoothed_losses": sweep.smoothedLosses.map(number),
            "raw_losses": rawLosses.map(number),
        ]
        if let suggestions {
            object["suggestions"] = ["steepest": suggestions.steepest, "minimum_div_10": suggestions.minimumDividedBy10]
        }
        return object
    }
}

/// fastai's `lr_find` applies one swept rate to every layer group (the start and end are floats, and
/// `lr_range` broadcasts a float to all groups); `keepStageRatios` instead keeps the stage's spread
/// (`slice(1e-5, 1e-3)` sweeps group 0 at 1/100 of the last group's rate), as passing a slice would.
/// Nothing is restored afterwards: the model is built for the sweep and dropped.
public final class LRFindRun {
    public let loaded: LoadedConfig
    public let stage: StageConfig
    public let finder: LRFinder
    public let threads: Int
    /// The data listed and the models built for the checks, which the sweep then uses.
    public let facts: TransferFacts
    public var keepStageRatios = false
    /// Where finished nodes are cached; the sweep starts from the model as the stage finds it.
    public var runsRoot = "runs"
    /// Sweep from the initial weights even when the stage starts from a trained node.
    public var fromInitialWeights = false
    /// After each batch: its index, the rate it trained at, and its raw loss.
    public var onBatch: ((_ iteration: Int, _ learningRate: Double, _ loss: Float) -> Void)?

    /// `stage` names the stage whose freezing the sweep uses; nil takes the first.
    public init(loaded: LoadedConfig, stage name: String?, finder: LRFinder = LRFinder(),
                threads: Int = ExperimentRunner.defaultThreads) throws(LRFindError) {
        guard finder.start > 0, finder.start < finder.end, finder.end.isFinite else {
            throw .badRange(start: finder.start, end: finder.end)
        }
        guard finder.iterations >= 2 else { throw .badBatchCount(finder.iterations) }
        self.loaded = loaded
        self.stage = try Self.stage(named: name, in: loaded.config)
        self.finder = finder
        self.threads = threads
        facts = TransferFacts(threads: threads)
    }

    public static func stage(named name: String?, in config: ExperimentConfig) throws(LRFindError) -> StageConfig {
        let names = config.schedule.map(\.name)
        guard let chosen = name.map({ name in config.schedule.first { $0.name == name } }) ?? config.schedule.first else {
            throw .unknownStage(name ?? "", stages: names)
        }
        return chosen
    }

    /// fastai runs lr_find on the learner as it is: after the stages before this one, and on the
    /// pretrained body. Both come from runs/.cache, found through the plan.
    private func startAsTheStageFinds(_ model: TransferModel) throws {
        let config = loaded.config
        guard let index = config.schedule.firstIndex(where: { $0.name == stage.name }) else { return }
        guard index > 0 || config.model.weights == .pretrain else { return }
        let graph = try Planner.plan(loaded, facts: facts)
        guard let job = graph.jobs.first else { return }
        let nodes = graph.nodes(of: job)
        let stages = nodes.filter { $0.kind == .stage }
        guard let start = index > 0 ? stages[index - 1] : nodes.first(where: { $0.kind == .pretrain }) else { return }
        guard let cached = StageCache(runsRoot: runsRoot).load(start.id) else {
            throw LRFindError.startNotCached(stage: stage.name, node: start.id, runs: runsRoot)
        }
        if index > 0 {
            try model.loadStateDict(cached.state, path: "node \(start.id)")
        } else {
            try ModelFactory.loadBody(of: cached.state, into: model)
        }
    }

    public func run() throws -> LRFindResult {
        let config = loaded.config
        setThreadCount(threads)
        let items = try facts.preparedItems(config)
        let train = try DataFactory.loaders(config, items: items, threads: threads,
                                            decodeCache: DataFactory.decodeCacheFolder(runsRoot: runsRoot)).train
        guard train.batchCount > 0 else {
            throw LRFindError.noTrainingBatches(images: items.train.count, batchSize: config.data.batchSize)
        }
        let model = try facts.takeModel(config, classes: items.classes.count, log: { _ in })
        if !fromInitialWeights { try startAsTheStageFinds(model) }
        try ModelFactory.prepare(model, for: stage)
        let groups = model.groups.count
        var ratios = Array(repeating: 1.0, count: groups)
        if keepStageRatios {
            let spread = try stage.lr.values(groups: groups)
            if let last = spread.last, last > 0 { ratios = spread.map { $0 / last } }
        }
        let optimizer = try OptimizerFactory.make(config, groups: model.groups,
                                                  learningRates: ratios.map { $0 * finder.start })
        let step = TrainStep(model: model, context: model.context, loss: CrossEntropyLoss(labelSmoothing: Float(config.train.labelSmoothing)),
                             optimizer: optimizer)
        model.prepare(training: true)
        var tracker = LRFinder.Tracker(finder: finder)
        var raw: [Double] = []
        var iteration = 0
        var epoch = 0
        sweep: while true {
            let batches = train.epoch(epoch)
            while let batch = try batches.next() {
                let rate = finder.learningRate(at: iteration)
                try optimizer.setLearningRates(ratios.map { $0 * rate })
                // A non-finite loss updates nothing; the tracker stops on it.
                let value = step(batch.images, labels: batch.labels).loss
                raw.append(Double(value))
                onBatch?(iteration, rate, value)
                iteration += 1
                if !tracker.record(loss: Double(value)) { break sweep }
            }
            epoch += 1
        }
        let sweep = tracker.sweep
        return LRFindResult(stage: stage.name, finder: finder, sweep: sweep, rawLosses: raw,
                            suggestions: finder.suggestions(sweep), stageRatios: ratios)
    }

    /// A run directory `<root>/<name>/<time>-<config hash>/` holding the config, lr_find.json and lr_find.svg.
    public func write(_ result: LRFindResult, root: String) throws -> URL {
        let store = try RunStore(root: root, name: loaded.config.name, configHash: StableHash.hex(loaded.resolvedYAML))
        try store.write("config.yaml", text: loaded.text)
        try store.write("resolved.yaml", text: loaded.resolvedYAML)
        try store.writeJSON("lr_find.json", result.jsonObject)
        try store.write("lr_find.svg", text: result.plot(title: title(result)).svg())
        return store.directory
    }

    /// What `runner lr-find` prints: the title, how the sweep ended, the chart with both
    /// suggestions marked, and the suggestions again as plain numbers for copying into a config.
    public func report(_ result: LRFindResult, width: Int = 60, height: Int = 15) -> String {
        var lines = [title(result), result.stopReason
            + (result.stageRatios.allSatisfy { $0 == 1 } ? ", one rate for every layer group"
                                                         : ", group rates at the stage's ratios")]
        lines.append("")
        lines.append(result.plot(title: "").text(width: width, height: height))
        lines.append("")
        if let suggestions = result.suggestions {
            lines.append("suggested lr: " + String(format: "%.2e", suggestions.steepest) + " (steepest slope), "
                         + String(format: "%.2e", suggestions.minimumDividedBy10) + " (minimum / 10)")
        } else {
            lines.append("no suggestion: \(result.sweep.smoothedLosses.count) batches leave fewer than 2 points once"
                         + " the first \(result.finder.skipStart) and last \(LRFinder.skipEnd) are skipped;"
                         + " sweep more batches")
        }
        return lines.joined(separator: "\n")
    }

    public func title(_ result: LRFindResult) -> String {
        "lr finder — \(loaded.config.name), \(loaded.config.model.arch.rawValue), stage \(result.stage)"
            + " (freeze_to \(stage.freezeTo))"
    }
}
