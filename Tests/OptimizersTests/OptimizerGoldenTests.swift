// OptimizerGoldenTests: AdamW (fastai1), fastai2 Adam and SGD against PyTorch, parameter by parameter, step by step.

import Layers
import Optimizers
import Tensors
import TestSupport
import XCTest

/// The tolerance: 1e-6 relative with a 1e-7 absolute floor.
private let rtol: Float = 1e-6
private let atol: Float = 1e-7

final class OptimizerGoldenTests: XCTestCase {
    func testFixturesArePresent() {
        XCTAssertEqual(OptimizerFixture.all.count, 7, "run tools/make_optimizer_fixtures.py")
    }

    func testEveryOptimizerMatchesTorchAfterEachStep() throws {
        for name in OptimizerFixture.all {
            let fixture = try OptimizerFixture(name)
            let parameters = try fixture.makeParameters()
            let optimizer = try fixture.makeOptimizer(parameters)
            XCTAssertEqual(fixture.steps, 5, name)
            for step in 0..<fixture.steps {
                try fixture.prepare(step: step, parameters, optimizer)
                optimizer.step()
                for (key, parameter) in parameters.sorted(by: { $0.key < $1.key }) {
                    assertClose(parameter.value, try fixture.tensor("param.\(step).\(key)"), rtol: rtol, atol: atol,
                                "\(name) step \(step) \(key)")
                }
            }
        }
    }

    /// The cases differ where they should: the fixtures would not catch a rule that is ignored otherwise.
    func testWeightDecayVariantsProduceDifferentParameters() throws {
        func final(_ name: String, _ key: String) throws -> Tensor {
            try OptimizerFixture(name).tensor("param.4." + key)
        }
        XCTAssertNotEqual(try final("adam_v2", "1.bias"), try final("adam_v2_wd_bn_bias", "1.bias"))
        XCTAssertNotEqual(try final("adam_v1", "4.weight"), try final("adam_v1_l2", "4.weight"))
    }
}
