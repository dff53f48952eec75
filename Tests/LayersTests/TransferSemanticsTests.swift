// TransferSemanticsTests: head layouts per fastai version, cuts, split rules, freezing and their errors.

import Layers
import Tensors
import XCTest

final class TransferSemanticsTests: XCTestCase {
    private func build(_ spec: TransferSpec) throws -> TransferModel {
        var rng = RandomGenerator(seed: 2, purpose: "init")
        return try TransferModel.build(spec, rng: &rng)
    }

    private func expectError(_ spec: TransferSpec, _ check: (TransferError) -> Bool,
                             file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try build(spec), file: file, line: line) { error in
            guard let transfer = error as? TransferError else { return XCTFail("\(error)", file: file, line: line) }
            XCTAssertTrue(check(transfer), "\(transfer)", file: file, line: line)
        }
    }

    private func layout(_ head: Sequential) -> [String] {
        head.modules.map { module in
            switch module {
            case let linear as LinearLayer:
                return "Linear(\(linear.weight.shape[1]),\(linear.weight.shape[0])\(linear.bias == nil ? ",nobias" : ""))"
            case let bn as BatchNormLayer: return "\(bn.typeName)(\(bn.channels))"
            case let dropout as DropoutLayer: return "Dropout(\(dropout.p))"
            default: return module.typeName
            }
        }
    }

    func testFastai2DefaultHead() throws {
        let model = try build(TransferSpec(architecture: .resnet18, classes: 37, version: .v2))
        XCTAssertEqual(layout(model.head), ["AdaptiveConcatPool2d", "Flatten", "BatchNorm1d(1024)", "Dropout(0.25)",
                                            "Linear(1024,512,nobias)", "ReLU", "BatchNorm1d(512)", "Dropout(0.5)",
                                            "Linear(512,37,nobias)"])
        let bn = try XCTUnwrap(model.head[2] as? BatchNormLayer)
        XCTAssertEqual(bn.bias?.value.data.first, 1e-3)
        XCTAssertEqual(bn.weight?.value.data.first, 1)
        XCTAssertEqual(model.head.parameterCount, 546_304)
        XCTAssertTrue(model.stateDict().tensors.keys.contains("head.4.weight"))
        XCTAssertTrue(model.stateDict().tensors.keys.contains("layer4.1.bn2.running_var"))
    }

    func testFastai1AndFastai07Heads() throws {
        let v1 = try build(TransferSpec(architecture: .resnet18, classes: 12, version: .v1,
                                        head: HeadOptions(ps: [0.4])))
        XCTAssertEqual(layout(v1.head), ["AdaptiveConcatPool2d", "Flatten", "BatchNorm1d(1024)", "Dropout(0.2)",
                                         "Linear(1024,512)", "ReLU", "BatchNorm1d(512)", "Dropout(0.4)", "Linear(512,12)"])
        // 0.7 repeats a scalar ps unchanged for every block.
        let v07 = try build(TransferSpec(architecture: .resnet18, classes: 12, version: .v07,
                                         head: HeadOptions(ps: [0.4])))
        XCTAssertEqual(layout(v07.head).filter { $0.hasPrefix("Dropout") }, ["Dropout(0.4)", "Dropout(0.4)"])
        let plain = try build(TransferSpec(architecture: .resnet18, classes: 5, version: .v1,
                                           head: HeadOptions(linFtrs: [256, 128], ps: [0, 0.1, 0.3],
                                                             concatPool: false, bnFinal: true)))
        XCTAssertEqual(layout(plain.head), ["AdaptiveAvgPool2d", "Flatten", "BatchNorm1d(512)", "Linear(512,256)", "ReLU",
                                            "BatchNorm1d(256)", "Dropout(0.1)", "Linear(256,128)", "ReLU",
                                            "BatchNorm1d(128)", "Dropout(0.3)", "Linear(128,5)", "BatchNorm1d(5)"])
    }

    func testFastai2FirstBNAndLinFirst() throws {
        let noFirst = try build(TransferSpec(architecture: .resnet18, classes: 10, version: .v2,
                                             head: HeadOptions(firstBN: false)))
        XCTAssertEqual(layout(noFirst.head), ["AdaptiveConcatPool2d", "Flatten", "Dropout(0.25)", "Linear(1024,512)",
                                              "ReLU", "BatchNorm1d(512)", "Dropout(0.5)", "Linear(512,10,nobias)"])
        let linFirst = try build(TransferSpec(architecture: .resnet18, classes: 10, version: .v2,
                                              head: HeadOptions(linFirst: true)))
        XCTAssertEqual(layout(linFirst.head), ["AdaptiveConcatPool2d", "Flatten", "Dropout(0.25)",
                                               "Linear(1024,512,nobias)", "ReLU", "BatchNorm1d(512)", "Dropout(0.5)",
                                               "Linear(512,10)"])
        expectError(TransferSpec(architecture: .resnet18, classes: 10, version: .v1, head: HeadOptions(linFirst: true))) {
            if case .badHead = $0 { return true }; return false
        }
        expectError(TransferSpec(architecture: .resnet18, classes: 10, version: .v1, head: HeadOptions(ps: [0.1, 0.2, 0.3]))) {
            if case let .badHead(reason) = $0 { return reason.contains("2 blocks") }; return false
        }
    }

    func testHeadInitIsKaimingNormalWithZeroBias() throws {
        let model = try build(TransferSpec(architecture: .resnet34, classes: 37, version: .v1))
        let linear = try XCTUnwrap(model.head[4] as? LinearLayer)
        let values = linear.weight.value.data
        let mean = values.reduce(0, +) / Float(values.count)
        let std = (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Float(values.count)).squareRoot()
        XCTAssertEqual(std, (2.0 / 1024).squareRoot(), accuracy: 0.002)
        XCTAssertEqual(linear.bias?.value.maxAbs(), 0)
    }

    func testCutsByIndexNameAndAutomaticSearch() throws {
        let byName = try build(TransferSpec(architecture: .resnet18, classes: 3, cut: .name("avgpool")))
        XCTAssertEqual(byName.body.children.map(\.name),
                       ["conv1", "bn1", "relu", "maxpool", "layer1", "layer2", "layer3", "layer4"])
        let automatic = try build(TransferSpec(architecture: .resnet18, classes: 3, cut: .automatic))
        XCTAssertEqual(automatic.body.children.count, 8)
        let shorter = try build(TransferSpec(architecture: .resnet18, classes: 3, cut: .index(-3), split: .names(["layer3"])))
        XCTAssertEqual(shorter.body.children.last?.name, "layer3")
        XCTAssertEqual(shorter.groups.count, 3)
        expectError(TransferSpec(architecture: .mobilenetV2, classes: 3, cut: .automatic)) {
            if case .noPoolingChild = $0 { return true }; return false
        }
        expectError(TransferSpec(architecture: .resnet18, classes: 3, cut: .index(11))) {
            if case .cutOutOfRange = $0 { return true }; return false
        }
        expectError(TransferSpec(architecture: .resnet18, classes: 3, cut: .name("avgpol"))) {
            if case let .unknownChild(_, _, _, suggestion) = $0 { return suggestion == "avgpool" }; return false
        }
        // fastai's IndexError (#2156), as a clear error: resnet's default split at layer3 is gone.
        expectError(TransferSpec(architecture: .resnet18, classes: 3, cut: .index(5))) {
            if case .defaultSplitOutsideBody = $0 { return true }; return false
        }
    }

    func testSplitByIndicesAndNamesInsideAContainer() throws {
        let named = try build(TransferSpec(architecture: .resnet34, classes: 37, split: .names(["layer3"])))
        let automatic = try build(TransferSpec(architecture: .resnet34, classes: 37))
        XCTAssertEqual(named.groups.map(\.parameterCount), automatic.groups.map(\.parameterCount))
        let indexed = try build(TransferSpec(architecture: .resnet34, classes: 37, split: .indices([4, 6])))
        XCTAssertEqual(indexed.groups.map(\.parameterCount), [9_536, 221_952 + 1_116_416, 19_936_768, 546_853])
        // vgg's body is its features container: indices count inside it.
        let vgg = try build(TransferSpec(architecture: .vgg16BN, classes: 37, split: .indices([10, 22])))
        XCTAssertEqual(vgg.groups.count, 4)
        XCTAssertEqual(vgg.groups[0].leaves.first?.name, "features.0")
        XCTAssertEqual(vgg.groups[1].leaves.first?.name, "features.10")
        expectError(TransferSpec(architecture: .resnet34, classes: 37, split: .indices([6, 4]))) {
            if case .splitNotIncreasing = $0 { return true }; return false
        }
        expectError(TransferSpec(architecture: .resnet34, classes: 37, split: .indices([9]))) {
            if case let .splitOutOfRange(_, index, count, _) = $0 { return index == 9 && count == 8 }; return false
        }
        expectError(TransferSpec(architecture: .resnet34, classes: 37, split: .names(["layer5"]))) {
            if case .unknownChild = $0 { return true }; return false
        }
        expectError(TransferSpec(architecture: .alexnet, classes: 37, version: .v07)) {
            if case .noLegacyMeta = $0 { return true }; return false
        }
    }

    func testFreezeErrorsAndBatchNormStatistics() throws {
        let bodyAndHead = try build(TransferSpec(architecture: .resnet18, classes: 3, split: .indices([])))
        XCTAssertEqual(bodyAndHead.groups.count, 2, "the head is always a group of its own")
        let model = try build(TransferSpec(architecture: .resnet18, classes: 3))
        XCTAssertThrowsError(try model.freeze(to: 3))
        XCTAssertThrowsError(try model.freeze(to: -4))
        try model.freeze(to: -3)
        XCTAssertEqual(model.frozenGroups, 0)

        model.bnStats = .freeze
        try model.freeze()
        model.prepare(training: true)
        let bodyBN = try XCTUnwrap(model.body.children.first { $0.name == "bn1" }?.module)
        XCTAssertFalse(bodyBN.isTraining, "frozen group's BatchNorm keeps its statistics")
        XCTAssertTrue(model.head[2].isTraining, "the head's BatchNorm trains")
        XCTAssertTrue(model.groups[0].parameters.contains { $0.key == "bn1.weight" && $0.parameter.requiresGrad },
                      "train_bn keeps the affine parameters trainable")
        model.bnStats = .update
        model.prepare(training: true)
        XCTAssertTrue(bodyBN.isTraining)

        model.trainBN = false
        try model.freeze()
        XCTAssertEqual(model.trainableParameterCount, model.groups[2].parameterCount)
    }
}
