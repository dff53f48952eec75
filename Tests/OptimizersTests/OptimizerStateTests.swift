// OptimizerStateTests: saving an optimiser's state mid-run and loading it into a new one continues identically.

import Foundation
import Layers
import Optimizers
import Tensors
import XCTest

final class OptimizerStateTests: XCTestCase {
    /// For each optimiser: an uninterrupted run of five steps, and a run that stops after two, goes
    /// through a safetensors file, and resumes with new parameter objects, end bit-identical.
    func testStateRoundTripThroughSafeTensorsContinuesIdentically() throws {
        for name in ["adam_v1", "adam_v2", "sgd"] {
            let fixture = try OptimizerFixture(name)
            let straight = try fixture.makeParameters()
            let straightOptimizer = try fixture.makeOptimizer(straight)
            for step in 0..<fixture.steps {
                try fixture.prepare(step: step, straight, straightOptimizer)
                straightOptimizer.step()
            }

            let first = try fixture.makeParameters()
            let firstOptimizer = try fixture.makeOptimizer(first)
            for step in 0..<2 {
                try fixture.prepare(step: step, first, firstOptimizer)
                firstOptimizer.step()
            }
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("optimizer-state-\(name).safetensors").path
            defer { try? FileManager.default.removeItem(atPath: path) }
            try SafeTensors(tensors: firstOptimizer.state()).write(path: path)

            let resumed = try fixture.makeParameters()
            for (key, parameter) in resumed { parameter.value = try XCTUnwrap(first[key]).value }
            let resumedOptimizer = try fixture.makeOptimizer(resumed)
            try resumedOptimizer.load(state: try SafeTensors.read(path: path).tensors)
            XCTAssertEqual(resumedOptimizer.state(), firstOptimizer.state(), name)
            for step in 2..<fixture.steps {
                try fixture.prepare(step: step, resumed, resumedOptimizer)
                resumedOptimizer.step()
            }
            for (key, parameter) in straight {
                XCTAssertEqual(try XCTUnwrap(resumed[key]).value, parameter.value, "\(name) \(key)")
            }
        }
    }

    func testStateUsesTorchSlotNamesAndStepCounts() throws {
        let fixture = try OptimizerFixture("adam_v1")
        let parameters = try fixture.makeParameters()
        let optimizer = try fixture.makeOptimizer(parameters)
        for step in 0..<3 {
            try fixture.prepare(step: step, parameters, optimizer)
            optimizer.step()
        }
        let state = optimizer.state()
        XCTAssertEqual(state.count, 3 * parameters.count)
        XCTAssertEqual(state["0.weight.step"], Tensor(shape: [], data: [3]))
        XCTAssertEqual(state["0.weight.exp_avg"]?.shape, [4, 3, 3, 3])
        XCTAssertEqual(state["4.bias.exp_avg_sq"]?.shape, [5])

        optimizer.resetState()
        XCTAssertTrue(optimizer.state().isEmpty)
    }

    func testLoadRejectsForeignOrMalformedState() throws {
        let fixture = try OptimizerFixture("adam_v2")
        let parameters = try fixture.makeParameters()
        let optimizer = try fixture.makeOptimizer(parameters)
        try fixture.prepare(step: 0, parameters, optimizer)
        optimizer.step()
        let good = optimizer.state()

        var foreign = good
        foreign["fc.weight.grad_avg"] = Tensor(zeros: [2])
        XCTAssertThrowsError(try optimizer.load(state: foreign)) {
            XCTAssertEqual($0 as? OptimizerError, .unknownStateKey("fc.weight.grad_avg"))
        }
        var misshapen = good
        misshapen["4.bias.sqr_avg"] = Tensor(zeros: [4])
        XCTAssertThrowsError(try optimizer.load(state: misshapen)) {
            XCTAssertEqual($0 as? OptimizerError, .stateShape(key: "4.bias.sqr_avg", expected: [5], found: [4]))
        }
        var incomplete = good
        incomplete["4.bias.step"] = nil
        XCTAssertThrowsError(try optimizer.load(state: incomplete)) {
            XCTAssertEqual($0 as? OptimizerError, .missingStateSlot("4.bias.step"))
        }
        XCTAssertEqual(optimizer.state(), good, "a failed load keeps the state")
    }
}
