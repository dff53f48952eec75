// OptimizerFixture: one file written by tools/make_optimizer_fixtures.py — parameters, gradients and schedule per step.

import Foundation
import Layers
import Optimizers
import Tensors
import TestSupport
import XCTest

struct OptimizerFixture {
    let name: String
    let file: SafeTensors
    let config: [String: Any]
    private let golden: GoldenFile

    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    static var all: [String] { GoldenFile.names(in: directory) }

    init(_ name: String) throws {
        golden = try GoldenFile(directory: Self.directory, name: name, metadataKey: "config")
        self.name = name
        file = golden.file
        config = golden.metadata
    }

    func tensor(_ key: String, file path: StaticString = #filePath, line: UInt = #line) throws -> Tensor {
        try golden.tensor(key, file: path, line: line)
    }

    var optimizer: String { config["optimizer"] as? String ?? "" }
    var steps: Int { (config["steps"] as? NSNumber)?.intValue ?? 0 }
    var groupKeys: [[String]] { config["groups"] as? [[String]] ?? [] }
    var normOrBias: Set<String> { Set(config["norm_or_bias"] as? [String] ?? []) }
    /// The exact Python values, rather than their float32 copies in the tensors.
    var learningRates: [[Double]] { (config["lrs"] as? [[NSNumber]] ?? []).map { $0.map(\.doubleValue) } }
    var momenta: [Double] { (config["moms"] as? [NSNumber] ?? []).map(\.doubleValue) }
    func double(_ key: String) -> Double { (config[key] as? NSNumber)?.doubleValue ?? 0 }
    func bool(_ key: String) -> Bool { (config[key] as? NSNumber)?.boolValue ?? false }

    /// Fresh parameters at their initial values.
    func makeParameters() throws -> [String: Parameter] {
        var result: [String: Parameter] = [:]
        for key in groupKeys.joined() { result[key] = Parameter(try tensor("initial." + key)) }
        return result
    }

    /// The optimiser the case describes, over `parameters`, with step 0's hyper-parameters.
    func makeOptimizer(_ parameters: [String: Parameter]) throws -> any Optimizer {
        let groups = try groupKeys.enumerated().map { index, keys in
            let members = try keys.map { key in
                ParameterGroup.Member(key: key, parameter: try XCTUnwrap(parameters[key]),
                                      isNormOrBias: normOrBias.contains(key))
            }
            return ParameterGroup(members: members, hyper: hyper(learningRate: learningRates[0][index]))
        }
        switch optimizer {
        case "fastai1_adam":
            let rule = WeightDecayRule(mode: bool("true_wd") ? .decoupled : .l2, decaysNormAndBias: bool("bn_wd"))
            return try AdamW(groups: groups, weightDecay: rule)
        case "fastai2_adam":
            let rule = WeightDecayRule(mode: bool("decouple_wd") ? .decoupled : .l2,
                                       decaysNormAndBias: bool("wd_bn_bias"))
            return try FastaiAdam(groups: groups, weightDecay: rule)
        case "sgd":
            return try SGD(groups: groups)
        default:
            throw XCTSkip("\(name): unknown optimizer \(optimizer)")
        }
    }

    private func hyper(learningRate: Double) -> HyperParameters {
        switch optimizer {
        case "fastai1_adam": return .fastai1Adam(learningRate: learningRate, weightDecay: double("wd"))
        case "fastai2_adam":
            var hyper = HyperParameters.fastai2Adam(learningRate: learningRate, weightDecay: double("wd"))
            hyper.eps = double("eps")
            hyper.beta2 = double("sqr_mom")
            return hyper
        default: return .sgd(learningRate: learningRate, momentum: 0.9, weightDecay: double("wd"))
        }
    }

    /// Gives every parameter step `step`'s gradient and the optimiser that step's rates and momentum.
    func prepare(step: Int, _ parameters: [String: Parameter], _ optimizer: any Optimizer) throws {
        for (key, parameter) in parameters { parameter.gradient = try tensor("grad.\(step).\(key)") }
        try optimizer.setLearningRates(learningRates[step])
        optimizer.setMomentum(momenta[step])
    }
}
