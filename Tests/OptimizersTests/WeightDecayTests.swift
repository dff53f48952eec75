// WeightDecayTests: which parameters each version decays, frozen parameters, and groups built from a transfer model.

import Layers
import Optimizers
import Tensors
import XCTest

final class WeightDecayTests: XCTestCase {
    private let lr = 0.01, wd = 0.1

    /// A conv weight, a BatchNorm weight and a linear bias with zero gradients: Adam's own step is 0
    /// then, so each parameter changes only by its decay.
    private func members() -> [ParameterGroup.Member] {
        func parameter(_ value: Float) -> Parameter {
            let p = Parameter(Tensor(repeating: value, shape: [3]))
            p.gradient = Tensor(zeros: [3])
            return p
        }
        return [ParameterGroup.Member(key: "0.weight", parameter: parameter(2), isNormOrBias: false),
                ParameterGroup.Member(key: "1.weight", parameter: parameter(3), isNormOrBias: true),
                ParameterGroup.Member(key: "4.bias", parameter: parameter(4), isNormOrBias: true)]
    }

    private func decayed(_ value: Float) -> Float { value * Float(1 - lr * wd) }

    private func values(_ members: [ParameterGroup.Member]) -> [Float] { members.map { $0.parameter.value.data[0] } }

    func testFastai1DecaysNormAndBiasOnlyWithBNWeightDecay() throws {
        let withBN = members()
        let on = try AdamW(groups: [ParameterGroup(members: withBN, hyper: .fastai1Adam(learningRate: lr, weightDecay: wd))])
        on.step()
        XCTAssertEqual(values(withBN), [decayed(2), decayed(3), decayed(4)])

        let withoutBN = members()
        let off = try AdamW(groups: [ParameterGroup(members: withoutBN, hyper: .fastai1Adam(learningRate: lr, weightDecay: wd))],
                            weightDecay: WeightDecayRule(mode: .decoupled, decaysNormAndBias: false))
        off.step()
        XCTAssertEqual(values(withoutBN), [decayed(2), 3, 4])
    }

    func testFastai1L2RespectsBNWeightDecayToo() throws {
        let group = members()
        let optimizer = try AdamW(groups: [ParameterGroup(members: group, hyper: .fastai1Adam(learningRate: lr, weightDecay: wd))],
                                  weightDecay: WeightDecayRule(mode: .l2, decaysNormAndBias: false))
        optimizer.step()
        let after = values(group)
        XCTAssertLessThan(after[0], 2, "L2 moves the decayed weight")
        XCTAssertEqual(Array(after[1...]), [3, 4], "no L2 on norm and bias parameters without bn_wd")
    }

    func testFastai2ExcludesNormAndBiasByDefault() throws {
        let group = members()
        let optimizer = try FastaiAdam(groups: [ParameterGroup(members: group, hyper: .fastai2Adam(learningRate: lr, weightDecay: wd))])
        optimizer.step()
        XCTAssertEqual(values(group), [decayed(2), 3, 4])

        let all = members()
        let withBias = try FastaiAdam(groups: [ParameterGroup(members: all, hyper: .fastai2Adam(learningRate: lr, weightDecay: wd))],
                                      weightDecay: WeightDecayRule(mode: .decoupled, decaysNormAndBias: true))
        withBias.step()
        XCTAssertEqual(values(all), [decayed(2), decayed(3), decayed(4)])
    }

    func testFrozenAndGradientlessParametersAreUntouched() throws {
        for make in optimizers() {
            let frozen = Parameter(Tensor(repeating: 1, shape: [4]), requiresGrad: false)
            frozen.gradient = Tensor(repeating: 0.5, shape: [4])  // a stale gradient must not matter
            let unreached = Parameter(Tensor(repeating: 2, shape: [4]))
            let trained = Parameter(Tensor(repeating: 3, shape: [4]))
            trained.gradient = Tensor(repeating: 0.5, shape: [4])
            let optimizer = try make([ParameterGroup.Member(key: "a", parameter: frozen, isNormOrBias: false),
                                      ParameterGroup.Member(key: "b", parameter: unreached, isNormOrBias: false),
                                      ParameterGroup.Member(key: "c", parameter: trained, isNormOrBias: false)])
            optimizer.step()
            optimizer.step()
            XCTAssertEqual(frozen.value, Tensor(repeating: 1, shape: [4]))
            XCTAssertEqual(unreached.value, Tensor(repeating: 2, shape: [4]))
            XCTAssertLessThan(trained.value.data[0], 3)
            XCTAssertEqual(Set(optimizer.state().keys.map { $0.split(separator: ".")[0] }), ["c"],
                           "state only for stepped parameters")
            optimizer.zeroGradients()
            XCTAssertNil(trained.gradient)
        }
    }

    func testDuplicateParametersAreRejected() {
        let p = Parameter(Tensor(zeros: [1]))
        let member = ParameterGroup.Member(key: "x", parameter: p, isNormOrBias: false)
        XCTAssertThrowsError(try AdamW(groups: [ParameterGroup(members: [member], hyper: .fastai1Adam(learningRate: 1)),
                                                ParameterGroup(members: [member], hyper: .fastai1Adam(learningRate: 1))])) {
            XCTAssertEqual($0 as? OptimizerError, .duplicateParameter("x"))
        }
    }

    func testGroupsOfATransferModelClassifyNormAndBiasParameters() throws {
        var rng = RandomGenerator(seed: 0, purpose: "init")
        let model = try TransferModel.build(TransferSpec(architecture: .resnet18, classes: 12, version: .v1), rng: &rng)
        let groups = try ParameterGroup.groups(of: model, hyper: .fastai1Adam(learningRate: 0),
                                               learningRates: [3e-4, 3e-4, 3e-3])
        XCTAssertEqual(groups.map(\.hyper.learningRate), [3e-4, 3e-4, 3e-3])
        XCTAssertEqual(groups.map { $0.members.count }, model.groups.map { $0.parameters.count })
        let kinds = Dictionary(uniqueKeysWithValues: groups.flatMap(\.members).map { ($0.key, $0.isNormOrBias) })
        XCTAssertEqual(kinds["conv1.weight"], false)
        XCTAssertEqual(kinds["bn1.weight"], true)
        XCTAssertEqual(kinds["layer1.0.bn2.bias"], true)
        XCTAssertEqual(kinds["layer2.0.downsample.0.weight"], false)
        XCTAssertEqual(kinds["layer2.0.downsample.1.weight"], true)
        XCTAssertEqual(kinds["head.2.weight"], true, "head BatchNorm1d")
        XCTAssertEqual(kinds["head.4.weight"], false)
        XCTAssertEqual(kinds["head.4.bias"], true)
        XCTAssertEqual(kinds.count, model.namedParameters().count)

        XCTAssertThrowsError(try ParameterGroup.groups(of: model, hyper: .fastai1Adam(learningRate: 0), learningRates: [1e-3])) {
            XCTAssertEqual($0 as? OptimizerError, .learningRateCount(rates: 1, groups: 3))
        }
    }

    private func optimizers() -> [([ParameterGroup.Member]) throws -> any Optimizer] {
        [{ try AdamW(groups: [ParameterGroup(members: $0, hyper: .fastai1Adam(learningRate: 1e-2))]) },
         { try FastaiAdam(groups: [ParameterGroup(members: $0, hyper: .fastai2Adam(learningRate: 1e-2))]) },
         { try SGD(groups: [ParameterGroup(members: $0, hyper: .sgd(learningRate: 1e-2, weightDecay: 1e-4))]) }]
    }
}
