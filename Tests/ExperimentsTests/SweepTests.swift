// SweepTests: a sweep expands to the cartesian product in file order, each job validated, with ids from its values.

@testable import Experiments
import XCTest

final class SweepTests: ConfigTestCase {
    static let base = """
        version: 1
        name: s
        data: {source: generated}
        model: {arch: resnet34, meta: [8, 6]}
        schedule:
          - {name: frozen,   freeze_to: -1, epochs: 4, lr: 1e-3}
          - {name: unfrozen, freeze_to: 0,  epochs: 2, lr: slice(1e-6, 1e-4)}
        """

    func testCartesianProductInFileOrder() throws {
        let loaded = try XCTUnwrap(load(Self.base + """

            sweep:
              model.meta: [[8, 5], [8, 6]]
              schedule.1.epochs: [1, 2, 3]
            """))
        XCTAssertEqual(loaded.jobs.map(\.id), [
            "meta=8-5,epochs=1", "meta=8-5,epochs=2", "meta=8-5,epochs=3",
            "meta=8-6,epochs=1", "meta=8-6,epochs=2", "meta=8-6,epochs=3",
        ])
        XCTAssertEqual(loaded.config.sweep?.jobCount, 6)
        let job = loaded.jobs[4]
        XCTAssertEqual(job.config.model.meta, ModelConfig.Meta(cut: 8, lrCut: 6))
        XCTAssertEqual(job.config.schedule[1].epochs, 2)
        XCTAssertNil(job.config.sweep)
        XCTAssertEqual(job.overrides.map(\.description), ["model.meta=[8, 5]", "schedule.1.epochs=2"].map {
            $0.replacingOccurrences(of: "[8, 5]", with: "[8, 6]")
        })
        // The base keeps its own values and the sweep.
        XCTAssertEqual(loaded.config.schedule[1].epochs, 2)
        XCTAssertNotNil(loaded.config.sweep)
    }

    func testLabelsAreTheShortestDistinctSuffix() throws {
        let loaded = try XCTUnwrap(load(Self.base + """

            sweep:
              schedule.0.epochs: [1]
              schedule.1.epochs: [2]
              schedule.1.lr: [slice(1e-6, 1e-4), 1e-3]
            """))
        XCTAssertEqual(loaded.jobs.map(\.id), ["0.epochs=1,1.epochs=2,lr=slice-1e-6-1e-4", "0.epochs=1,1.epochs=2,lr=1e-3"])
        XCTAssertEqual(loaded.jobs[0].config.schedule[1].lr, .slice(start: 1e-6, end: 1e-4))
        XCTAssertEqual(loaded.jobs[1].config.schedule[1].lr, .constant(1e-3))
    }

    func testLongJobIDsAreShortenedWithAHashAndStayDistinct() throws {
        let digits = String(repeating: "1", count: 40)
        let loaded = try XCTUnwrap(load(Self.base + """

            sweep:
              data.normalize:
                - {mean: [0.\(digits)2, 0.5, 0.5], std: [0.\(digits)3, 0.5, 0.5]}
                - {mean: [0.\(digits)2, 0.5, 0.5], std: [0.\(digits)3, 0.5, 0.25]}
            """))
        let ids = loaded.jobs.map(\.id)
        XCTAssertEqual(ids.count, 2)
        XCTAssertNotEqual(ids[0], ids[1])
        for id in ids {
            XCTAssertEqual(id.utf8.count, SweepConfig.maxIDBytes, id)
            XCTAssertTrue(id.hasPrefix("normalize=mean-0.1111"), id)
        }
    }

    func testNoSweepIsOneJob() throws {
        let loaded = try XCTUnwrap(load(Self.base))
        XCTAssertEqual(loaded.jobs.map(\.id), ["main"])
        XCTAssertEqual(loaded.jobs[0].config, loaded.config)
        XCTAssertEqual(loaded.jobs[0].overrides, [])
    }

    func testSweepOverridesWinOverSet() throws {
        let loaded = try XCTUnwrap(load(Self.base + "\nsweep:\n  seed: [1, 2]", overrides: ["seed=9", "schedule.0.epochs=7"]))
        XCTAssertEqual(loaded.jobs.map(\.config.seed), [1, 2])
        XCTAssertEqual(loaded.jobs.map(\.config.schedule[0].epochs), [7, 7])
        XCTAssertEqual(loaded.config.seed, 9)
    }

    func testOverlappingAxes() {
        expectError(Self.base + "\nsweep:\n  model: [{arch: resnet18}]\n  model.meta: [[8, 5]]",
                    "sweep.model.meta: `model.meta` overlaps the swept `model` — sweep one of them", at: 10, 3)
    }

    func testAJobThatBreaksACrossFieldRule() {
        // Each point is validated as a whole file: meta cannot join a split.
        let yaml = Self.base.replacingOccurrences(of: "meta: [8, 6]", with: "split: [6]")
            + "\nsweep:\n  model.meta: [[8, 5]]"
        let found = errors(yaml)
        XCTAssertEqual(found.count, 1, "\(found)")
        XCTAssertEqual(found.first?.line, 4)
        XCTAssertTrue(found.first?.description.contains("`split` cannot be combined with `meta`") ?? false, "\(found)")
    }

    func testIDTextIsADirectoryName() {
        XCTAssertEqual(SweepConfig.idText(.string("slice(1e-6, 1e-4)")), "slice-1e-6-1e-4")
        XCTAssertEqual(SweepConfig.idText(.ints([-1, 0])), "-1-0")
        XCTAssertEqual(SweepConfig.idText(.string("a/b c")), "a-b-c")
        XCTAssertEqual(SweepConfig.idText(.map([("slice", .numbers([1e-6, 1e-4]))])), "slice-1e-6-0.0001")
    }
}
