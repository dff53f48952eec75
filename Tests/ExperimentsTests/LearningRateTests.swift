// LearningRateTests: every spelling of a learning rate, and fastai's spreading over layer groups, number for number.

@testable import Experiments
import XCTest

final class LearningRateTests: ConfigTestCase {
    private func assertClose(_ a: [Double], _ b: [Double], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.count, b.count, "\(a) vs \(b)", file: file, line: line)
        for (x, y) in zip(a, b) {
            XCTAssertEqual(x, y, accuracy: abs(y) * 1e-12, "\(a) vs \(b)", file: file, line: line)
        }
    }

    func testFastaiExamplesWithThreeGroups() throws {
        assertClose(try LearningRate.slice(start: nil, end: 3e-3).values(groups: 3), [3e-4, 3e-4, 3e-3])
        assertClose(try LearningRate.slice(start: 1e-6, end: 1e-4).values(groups: 3), [1e-6, 1e-5, 1e-4])
        assertClose(try LearningRate.slice(start: 1e-5, end: 1e-3).values(groups: 3), [1e-5, 1e-4, 1e-3])
    }

    func testBroadcastAndLists() throws {
        XCTAssertEqual(try LearningRate.constant(1e-3).values(groups: 4), [1e-3, 1e-3, 1e-3, 1e-3])
        XCTAssertEqual(try LearningRate.perGroup([1e-4, 1e-3, 1e-2]).values(groups: 3), [1e-4, 1e-3, 1e-2])
        // fastai's listify broadcasts a one-element list like a number.
        XCTAssertEqual(try LearningRate.perGroup([2e-3]).values(groups: 2), [2e-3, 2e-3])
        XCTAssertThrowsError(try LearningRate.perGroup([1e-4, 1e-3]).values(groups: 3)) { error in
            XCTAssertEqual(error as? LearningRate.SpreadError, .countMismatch(rates: 2, groups: 3))
        }
    }

    func testSliceEdgeCases() throws {
        // v2's even_mults returns the end for one group; slice(b) with one group is just b.
        XCTAssertEqual(try LearningRate.slice(start: 1e-6, end: 1e-4).values(groups: 1), [1e-4])
        XCTAssertEqual(try LearningRate.slice(start: nil, end: 1e-3).values(groups: 1), [1e-3])
        assertClose(try LearningRate.slice(start: 1e-6, end: 1e-4).values(groups: 2), [1e-6, 1e-4])
        assertClose(try LearningRate.slice(start: 1e-4, end: 1e-2).values(groups: 5),
                    [1e-4, 1e-4 * pow(10, 0.5), 1e-3, 1e-3 * pow(10, 0.5), 1e-2])
        // A falsy start is slice(b) in fastai.
        XCTAssertEqual(try LearningRate.slice(start: 0, end: 1e-3).values(groups: 2), [1e-4, 1e-3])
        XCTAssertThrowsError(try LearningRate.slice(start: 1e-3, end: 1e-5).values(groups: 3)) { error in
            XCTAssertEqual(error as? LearningRate.SpreadError, .startAboveEnd(start: 1e-3, end: 1e-5))
        }
        XCTAssertThrowsError(try LearningRate.constant(1).values(groups: 0))
    }

    func testEverySpellingParses() throws {
        let cases: [(String, LearningRate)] = [
            ("1e-3", .constant(1e-3)),
            ("0.01", .constant(0.01)),
            ("1", .constant(1)),
            ("[1e-5, 1e-4, 1e-3]", .perGroup([1e-5, 1e-4, 1e-3])),
            ("slice(1e-6, 1e-4)", .slice(start: 1e-6, end: 1e-4)),
            ("slice(1e-4)", .slice(start: nil, end: 1e-4)),
            ("slice(None, 1e-4)", .slice(start: nil, end: 1e-4)),
            ("slice(0, 1e-4)", .slice(start: nil, end: 1e-4)),
            ("'slice( 1e-6 ,1e-4 )'", .slice(start: 1e-6, end: 1e-4)),
            ("{slice: [1e-6, 1e-4]}", .slice(start: 1e-6, end: 1e-4)),
            ("{slice: [1e-4]}", .slice(start: nil, end: 1e-4)),
            ("{slice: 1e-4}", .slice(start: nil, end: 1e-4)),
        ]
        for (text, expected) in cases {
            let yaml = Self.minimal
                + "\n  - name: b\n    freeze_to: 0\n    epochs: 1\n    lr: \(text)"
            let config = try XCTUnwrap(load(yaml), text).config
            XCTAssertEqual(config.schedule[1].lr, expected, text)
        }
    }

    func testSliceInsideAFlowMappingAndList() throws {
        // YAML splits `slice(a, b)` at the comma inside {…} and […]; the loader joins it back.
        let config = try XCTUnwrap(load(Self.minimal.replacingOccurrences(of: "lr: 1e-3", with: "lr: slice(1e-6, 1e-4)")
                                        + "\nsweep:\n  schedule.0.lr: [slice(1e-5, 1e-3), 1e-3]")).config
        XCTAssertEqual(config.schedule[0].lr, .slice(start: 1e-6, end: 1e-4))
        XCTAssertEqual(config.sweep?.axes.first?.values.count, 2)
    }

    func testRejectedSpellings() {
        for text in ["0", "-1e-3", "[]", "[1e-3, -1]", "slice()", "slice(1e-3, 1e-4, 1e-5)", "'1e-3x'", "{slice: [1, 2, 3]}",
                     "{slices: [1e-3]}", "true", ".inf"] {
            let yaml = Self.minimal
                + "\n  - name: b\n    freeze_to: 0\n    epochs: 1\n    lr: \(text)"
            let found = errors(yaml)
            XCTAssertEqual(found.count, 1, "\(text): \(found)")
            XCTAssertEqual(found.first?.line, 12, text)
            XCTAssertTrue(found.first?.keyPath.description.hasPrefix("schedule.1.lr") ?? false, "\(text): \(found)")
        }
    }

    func testDescription() {
        XCTAssertEqual(LearningRate.slice(start: 1e-6, end: 1e-4).description, "slice(1e-6, 0.0001)")
        XCTAssertEqual(LearningRate.slice(start: nil, end: 3e-3).description, "slice(0.003)")
        XCTAssertEqual(LearningRate.perGroup([1e-5, 0.25]).description, "[1e-5, 0.25]")
    }
}
