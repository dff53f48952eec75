// LRFindRunTests: the lr finder on a tiny generated experiment — a finite, bounded curve, suggestions in range, files beside the runs.

import Experiments
import Foundation
import Optimizers
import Training
import XCTest

final class LRFindRunTests: XCTestCase {
    private let yaml = """
        version: 1
        name: tiny-lr
        seed: 5
        data: {source: generated, variant: source, classes: 3, images_per_class: 4, size: 32, batch_size: 4}
        model: {arch: resnet18, head: {lin_ftrs: [16]}}
        schedule:
          - {name: frozen, freeze_to: -1, epochs: 1, lr: 1e-3}
          - {name: unfrozen, freeze_to: 0, epochs: 1, lr: slice(1e-5, 1e-3)}
        """

    private func loaded() throws -> LoadedConfig {
        try ConfigLoader.load(yaml: yaml, path: "tiny-lr.yaml", options: .init(checkFiles: false))
    }

    func testASweepOnATinyConfigGivesAFiniteBoundedCurveAndSuggestionsInRange() throws {
        let finder = LRFinder(start: 1e-6, end: 10, iterations: 24)
        let run = try LRFindRun(loaded: try loaded(), stage: nil, finder: finder, threads: 2)
        XCTAssertEqual(run.stage.name, "frozen", "the first stage by default")
        var seen: [Double] = []
        run.onBatch = { _, rate, _ in seen.append(rate) }
        let result = try run.run()
        let count = result.sweep.smoothedLosses.count
        XCTAssertGreaterThan(count, 1)
        XCTAssertLessThanOrEqual(count, 24, "more batches than the tiny data has per epoch, but no more than asked")
        XCTAssertEqual(seen, Array(finder.learningRates.prefix(count)))
        XCTAssertEqual(result.rawLosses.count, count)
        XCTAssertEqual(result.stageRatios, [1, 1, 1], "fastai sweeps every group at the same rate")
        // Everything before the last batch is finite (the last may be the one that diverged).
        XCTAssertTrue(result.sweep.smoothedLosses.dropLast().allSatisfy(\.isFinite), "\(result.sweep.smoothedLosses)")
        if count < 24 { XCTAssertTrue(result.sweep.diverged, "a sweep stops early only on divergence") }
        if let suggestions = result.suggestions {
            XCTAssertTrue((1e-6...10).contains(suggestions.steepest), "\(suggestions)")
            // The minimum's rate is inside the sweep, so a tenth of it is within [start/10, end/10].
            XCTAssertTrue((1e-7...1).contains(suggestions.minimumDividedBy10), "\(suggestions)")
        } else {
            XCTAssertLessThan(count, 24 / 10 + 5 + 2, "suggestions are missing only when too few points remain")
        }
        let text = run.report(result, width: 40, height: 8)
        XCTAssertTrue(text.contains("stage frozen (freeze_to -1)"), text)
        XCTAssertTrue(text.contains("└"), text)
    }

    func testTheStageRatiosAreKeptWhenAsked() throws {
        let run = try LRFindRun(loaded: try loaded(), stage: "unfrozen",
                                finder: LRFinder(start: 1e-5, end: 1, iterations: 3), threads: 2)
        run.keepStageRatios = true
        // The unfrozen stage starts where the frozen one ended; with nothing cached the sweep says so.
        run.runsRoot = FileManager.default.temporaryDirectory.appendingPathComponent("lrfind-\(UUID().uuidString)").path
        XCTAssertThrowsError(try run.run()) { error in
            guard case .startNotCached(stage: "unfrozen", node: _, runs: run.runsRoot)? = error as? LRFindError else {
                return XCTFail("expected startNotCached, got \(error)")
            }
        }
        run.fromInitialWeights = true
        let result = try run.run()
        XCTAssertEqual(result.stage, "unfrozen")
        XCTAssertEqual(result.stageRatios.count, 3)
        XCTAssertEqual(result.stageRatios[0], 0.01, accuracy: 1e-12)
        XCTAssertEqual(result.stageRatios[1], 0.1, accuracy: 1e-12)
        XCTAssertEqual(result.stageRatios[2], 1)
    }

    func testAnUnknownStageOrABadRangeIsRefusedBeforeAnyWork() throws {
        XCTAssertThrowsError(try LRFindRun(loaded: try loaded(), stage: "frozn")) { error in
            XCTAssertEqual(error as? LRFindError, .unknownStage("frozn", stages: ["frozen", "unfrozen"]))
            XCTAssertEqual("\(error)", "no stage `frozn`; stages: frozen, unfrozen")
        }
        XCTAssertThrowsError(try LRFindRun(loaded: try loaded(), stage: nil, finder: LRFinder(start: 1, end: 1e-3)))
        XCTAssertThrowsError(try LRFindRun(loaded: try loaded(), stage: nil, finder: LRFinder(iterations: 1)))
    }

    func testWriteLeavesTheSVGAndJSONInARunDirectoryThatRunsListAsLRFind() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("lrfind-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let run = try LRFindRun(loaded: try loaded(), stage: nil, finder: LRFinder(), threads: 2)
        let lrs = LRFinder().learningRates
        let losses = lrs.indices.map { 2 - Double($0) / 100 }
        let sweep = LRFinder.Sweep(learningRates: lrs, smoothedLosses: losses, diverged: false)
        let result = LRFindResult(stage: "frozen", finder: LRFinder(), sweep: sweep, rawLosses: losses.map { _ in .nan },
                                  suggestions: LRFinder().suggestions(sweep), stageRatios: [1, 1, 1])
        let directory = try run.write(result, root: root)
        XCTAssertEqual(directory.deletingLastPathComponent().lastPathComponent, "tiny-lr")
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
        XCTAssertEqual(files, ["config.yaml", "lr_find.json", "lr_find.svg", "resolved.yaml"])
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: directory.appendingPathComponent("lr_find.json")))
            as? [String: Any])
        XCTAssertEqual((json["learning_rates"] as? [Double])?.count, 100)
        XCTAssertTrue((json["raw_losses"] as? [Any])?.allSatisfy { $0 is NSNull } ?? false, "NaN is written as null")
        XCTAssertNotNil(json["suggestions"] as? [String: Double])
        let svg = try String(contentsOf: directory.appendingPathComponent("lr_find.svg"), encoding: .utf8)
        XCTAssertTrue(svg.contains("<path class=\"curve\""))
        let entries = RunCatalog.list(root: root)
        XCTAssertEqual(entries.map(\.lrFind), [true])
        XCTAssertThrowsError(try RunCatalog.find("tiny-lr", root: root), "an lr-find directory is not a run's latest")
    }
}
