// ConfigReachesEngineTests: settings that were accepted but changed nothing now change what the engine does, or are refused.

@testable import Experiments
import Layers
import Optimizers
import Tensors
@testable import Training
import XCTest

final class ConfigReachesEngineTests: XCTestCase {
    private func load(preset: String = "fastai1", optimizer: String = "{name: adam}", moms: String? = nil) throws
        -> LoadedConfig {
        let momsText = moms.map { ", moms: \($0)" } ?? ""
        return try ConfigLoader.load(yaml: """
            version: 1
            preset: \(preset)
            data: {source: generated, variant: target, classes: 3, images_per_class: 4, size: 32}
            model: {arch: resnet18, meta: [8, 6]}
            train: {optimizer: \(optimizer)}
            schedule:
              - {name: frozen, freeze_to: -1, epochs: 1, lr: 1e-2, policy: one_cycle\(momsText)}
            """, path: "c.yaml", options: .init(checkFiles: false))
    }

    /// `true_wd` was forced to L2 for SGD, so either value trained byte-identically. fastai1 decouples
    /// the decay for any optimiser; with momentum the two differ from the second step on.
    func testTrueWDChangesWhatSGDDoes() throws {
        func trained(trueWD: Bool) throws -> Tensor {
            let config = try load(optimizer: "{name: sgd, wd: 0.1, true_wd: \(trueWD)}").config
            let model = try ModelFactory.build(config, classes: 3)
            try model.freeze(to: -1)
            let optimizer = try OptimizerFactory.make(config, groups: model.groups,
                                                      learningRates: Array(repeating: 0.1, count: model.groups.count))
            for _ in 0..<3 {
                for (_, parameter) in model.namedParameters() where parameter.requiresGrad {
                    parameter.gradient = Tensor(repeating: 0.01, shape: parameter.shape)
                }
                optimizer.step()
            }
            return try XCTUnwrap(model.namedParameters().first { $0.parameter.requiresGrad && $0.key.hasPrefix("head.") }?
                .parameter.value)
        }
        let decoupled = try trained(trueWD: true), l2 = try trained(trueWD: false)
        let difference = zip(decoupled.data, l2.data).map { abs($0 - $1) }.max() ?? 0
        XCTAssertGreaterThan(difference, 1e-5, "true_wd made no difference to SGD")
    }

    /// A third momentum was accepted under fastai1 and ignored; fastai2 uses it as the end momentum.
    func testAThirdMomentumIsFastai2sEndOrRefused() throws {
        XCTAssertThrowsError(try load(moms: "[0.9, 0.8, 0.7]")) { error in
            XCTAssertTrue("\(error)".contains("an end momentum needs preset fastai2"), "\(error)")
        }
        func endMomentum(_ moms: String) throws -> Double? {
            let config = try load(preset: "fastai2", moms: moms).config
            let schedule = OptimizerFactory.schedule(config.schedule[0], preset: config.preset, batches: 100)
            return schedule.momentum(at: 99)
        }
        XCTAssertEqual(try XCTUnwrap(try endMomentum("[0.9, 0.8, 0.7]")), 0.7, accuracy: 1e-3)
        XCTAssertEqual(try XCTUnwrap(try endMomentum("[0.9, 0.8]")), 0.9, accuracy: 1e-3)
    }
}
