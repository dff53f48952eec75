// ArchitectureTests: every torchvision architecture's module tree, state-dict keys, parameter totals, forward shape and init.

import Layers
import Tensors
import TestSupport
import XCTest

/// Facts measured on torchvision 0.29 with 1000 classes by the script in the comment below:
/// parameter total, state-dict key count, and FNV-1a 64 digests of the sorted "key [shape]" lines
/// and of the `named_modules()` "name ClassName" lines in order.
///
///     m = getattr(torchvision.models, arch)(); sd = m.state_dict()
///     keys = "\n".join(f"{k} {list(v.shape)}" for k, v in sorted(sd.items()))
///     tree = "\n".join(f"{n} {type(mod).__name__}" for n, mod in m.named_modules())
private let torchvisionFacts: [Architecture: (parameters: Int, keys: Int, keyDigest: UInt64, treeDigest: UInt64)] = [
    .resnet18: (11_689_512, 122, 0xdd65_621d_2d3b_5d36, 0xb396_2966_cda2_8a76),
    .resnet34: (21_797_672, 218, 0xa705_3380_cbbe_6b88, 0xe25c_6f27_d65c_186c),
    .resnet50: (25_557_032, 320, 0x11c9_c0d7_2f03_d8fc, 0x3209_05b4_3841_ca90),
    .resnet101: (44_549_160, 626, 0xe70d_5beb_430f_c569, 0xff06_b551_3b4b_31b1),
    .resnet152: (60_192_808, 932, 0x99a2_15cb_a183_5ea4, 0x53e9_375f_e935_c952),
    .vgg11BN: (132_868_840, 62, 0x38d6_4f3e_7cb0_5e25, 0xe75d_1592_45d6_8869),
    .vgg13BN: (133_053_736, 76, 0xfb89_68e6_c42c_7ea1, 0x536b_800a_9e0a_e2e9),
    .vgg16BN: (138_365_992, 97, 0xdb7d_4f04_dff9_c1b0, 0x0d03_1bd8_98e1_12d6),
    .vgg19BN: (143_678_248, 118, 0x4b23_f8a6_53ee_5289, 0x1c7a_1973_4211_92bc),
    .alexnet: (61_100_840, 16, 0xaafd_d02a_3cfd_a67a, 0xb403_5aab_b0e3_acb9),
    .squeezenet1_0: (1_248_424, 52, 0xb512_4644_98c9_e8dd, 0x54d1_1d58_2042_c571),
    .squeezenet1_1: (1_235_496, 52, 0x5f72_9c6e_0784_224c, 0xc5b7_9312_5004_561f),
    .densenet121: (7_978_856, 727, 0xd209_f1c2_7c0f_5642, 0xb141_5ccc_14ae_0f4c),
    .densenet161: (28_681_000, 967, 0x3ff3_b986_274e_ed3d, 0xfd77_d269_076c_0e44),
    .densenet169: (14_149_480, 1015, 0xb70e_1332_4cd4_264c, 0xf15e_1b48_47e8_9361),
    .densenet201: (20_013_928, 1207, 0xcde5_5459_efcf_6c40, 0x53a2_3183_d430_20c4),
    .mobilenetV2: (3_504_872, 314, 0x864b_f172_2de3_87db, 0x1e11_d7f5_94e7_d70a),
]

private let topLevelChildren: [String: [String]] = [
    "ResNet": ["conv1", "bn1", "relu", "maxpool", "layer1", "layer2", "layer3", "layer4", "avgpool", "fc"],
    "VGG": ["features", "avgpool", "classifier"],
    "AlexNet": ["features", "avgpool", "classifier"],
    "SqueezeNet": ["features", "classifier"],
    "DenseNet": ["features", "classifier"],
    "MobileNetV2": ["features", "classifier"],
]

private func fnv1a(_ text: String) -> UInt64 {
    text.utf8.reduce(0xcbf2_9ce4_8422_2325) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 }
}

final class ArchitectureTests: XCTestCase {
    /// Builds each network once (the VGGs hold 140 M parameters each) and checks everything that
    /// needs only the built model: totals, keys, tree, children, and a 64-pixel forward.
    func testEveryArchitectureMatchesTorchvision() throws {
        XCTAssertEqual(Set(torchvisionFacts.keys), Set(Architecture.allCases))
        for arch in Architecture.allCases {
            let facts = try XCTUnwrap(torchvisionFacts[arch])
            var rng = RandomGenerator(seed: 7, purpose: "init")
            let model = arch.build(rng: &rng)
            let name = arch.rawValue
            XCTAssertEqual(model.parameterCount, facts.parameters, "\(name) parameter total")
            let state = model.stateDict()
            XCTAssertEqual(state.tensors.count, facts.keys, "\(name) state-dict keys")
            let keyLines = state.tensors.keys.sorted().compactMap { key in
                state.tensors[key].map { "\(key) \($0.shape)" }
            }
            XCTAssertEqual(fnv1a(keyLines.joined(separator: "\n")), facts.keyDigest, "\(name) keys and shapes")
            let treeLines = model.namedModules().map { "\($0.name) \($0.module.typeName)" }
            XCTAssertEqual(fnv1a(treeLines.joined(separator: "\n")), facts.treeDigest, "\(name) module tree")
            XCTAssertEqual(model.children.map(\.name), topLevelChildren[model.typeName], "\(name) children")
            for (key, dtype) in state.dtypes {
                XCTAssertTrue(key.hasSuffix("num_batches_tracked") && dtype == .i64, "\(name) \(key) is \(dtype)")
            }

            model.eval()
            let logits = model.forward(randomTensor([1, 3, 64, 64], seed: 3))
            XCTAssertEqual(logits.shape, [1, 1000], name)
            XCTAssertTrue(logits.isFinite, name)
        }
    }

    func testClassCountSetsTheLastLayer() {
        var rng = RandomGenerator(seed: 1, purpose: "init")
        for arch in [Architecture.resnet18, .squeezenet1_1, .densenet121, .mobilenetV2] {
            let model = arch.build(numClasses: 7, rng: &rng)
            model.eval()
            XCTAssertEqual(model.forward(Tensor(zeros: [2, 3, 64, 64])).shape, [2, 7], arch.rawValue)
        }
    }

    /// Unregistered functional steps must run but stay out of the tree; DenseNet's ReLU after
    /// norm5 is the one that matters for a body cut.
    func testFunctionalStepsAreNotChildren() {
        var rng = RandomGenerator(seed: 1, purpose: "init")
        let densenet = Architecture.densenet121.build(numClasses: 3, rng: &rng)
        XCTAssertEqual(densenet.stepsAfter[0]?.map(\.typeName), ["ReLU", "AdaptiveAvgPool2d", "Flatten"])
        let features = densenet["features"]
        XCTAssertEqual(features?.children.last?.name, "norm5")
        XCTAssertEqual(features?.children.last?.module.typeName, "BatchNorm2d")
        XCTAssertFalse(densenet.namedModules().contains { $0.module.typeName == "Flatten" })
        let resnet = Architecture.resnet18.build(numClasses: 3, rng: &rng)
        XCTAssertEqual(resnet.stepsAfter.keys.sorted(), [8])
        XCTAssertEqual(resnet.children[8].name, "avgpool")
    }

    func testInitialisationFollowsEachFamily() throws {
        let kaimingFanOut: (Int) -> Float = { fanOut in (2 / Float(fanOut)).squareRoot() }
        var rng = RandomGenerator(seed: 11, purpose: "init")
        let resnet = Architecture.resnet18.build(rng: &rng)
        try checkStatistics(resnet, "conv1.weight", std: kaimingFanOut(64 * 49))
        try checkStatistics(resnet, "layer2.0.downsample.0.weight", std: kaimingFanOut(128))
        try checkConstant(resnet, "bn1.weight", 1)
        try checkConstant(resnet, "bn1.bias", 0)
        // fc keeps torch's default: U(±1/√512), std 1/√(3 · 512).
        try checkStatistics(resnet, "fc.weight", std: 1 / Float(3 * 512).squareRoot())

        let vgg = Architecture.vgg11BN.build(numClasses: 10, rng: &rng)
        try checkStatistics(vgg, "features.4.weight", std: kaimingFanOut(128 * 9))
        try checkConstant(vgg, "features.4.bias", 0)
        try checkStatistics(vgg, "classifier.6.weight", std: 0.01)
        try checkConstant(vgg, "classifier.0.bias", 0)

        let alexnet = Architecture.alexnet.build(numClasses: 10, rng: &rng)
        try checkStatistics(alexnet, "features.3.weight", std: 1 / Float(3 * 64 * 25).squareRoot())

        let squeezenet = Architecture.squeezenet1_1.build(rng: &rng)
        // kaiming-uniform with a = 0: U(±√(6 / fan_in)), std √(2 / fan_in).
        try checkStatistics(squeezenet, "features.0.weight", std: (2 / Float(27)).squareRoot())
        try checkStatistics(squeezenet, "features.12.expand3x3.weight", std: (2 / Float(64 * 9)).squareRoot())
        try checkConstant(squeezenet, "features.12.expand3x3.bias", 0)
        try checkStatistics(squeezenet, "classifier.1.weight", std: 0.01)
        try checkConstant(squeezenet, "classifier.1.bias", 0)

        let densenet = Architecture.densenet121.build(rng: &rng)
        try checkStatistics(densenet, "features.conv0.weight", std: (2 / Float(3 * 49)).squareRoot())
        try checkStatistics(densenet, "features.denseblock2.denselayer3.conv2.weight",
                            std: (2 / Float(128 * 9)).squareRoot())
        try checkConstant(densenet, "classifier.bias", 0)
        try checkStatistics(densenet, "classifier.weight", std: 1 / Float(3 * 1024).squareRoot())

        let mobilenet = Architecture.mobilenetV2.build(rng: &rng)
        try checkStatistics(mobilenet, "features.0.0.weight", std: kaimingFanOut(32 * 9))
        // Depthwise: fan out is out channels × kernel area (torch ignores groups).
        try checkStatistics(mobilenet, "features.5.conv.1.0.weight", std: kaimingFanOut(192 * 9))
        try checkStatistics(mobilenet, "classifier.1.weight", std: 0.01)
        try checkConstant(mobilenet, "classifier.1.bias", 0)
    }

    /// A train-mode step through the new blocks (Fire; InvertedResidual, Conv2dNormActivation)
    /// reaches every parameter.
    func testTrainingBackwardReachesEveryParameter() throws {
        for arch in [Architecture.squeezenet1_1, .mobilenetV2] {
            var rng = RandomGenerator(seed: 5, purpose: "init")
            let model = arch.build(numClasses: 4, rng: &rng)
            model.train()
            let logits = model.forward(randomTensor([2, 3, 32, 32], seed: 8))
            let loss = CrossEntropyLoss()
            _ = loss.forward(logits, targets: [1, 3])
            XCTAssertNil(model.backward(loss.backward(), needsInputGradient: false))
            for (key, parameter) in model.namedParameters() {
                let gradient = try XCTUnwrap(parameter.gradient, "\(arch.rawValue): no gradient for \(key)")
                XCTAssertEqual(gradient.shape, parameter.shape)
                XCTAssertTrue(gradient.isFinite, "\(arch.rawValue) \(key)")
            }
        }
    }

    // MARK: - Blocks against finite differences

    func testFireGradients() throws {
        var rng = RandomGenerator(seed: 2, purpose: "init")
        let fire = Fire(inPlanes: 4, squeezePlanes: 3, expand1x1Planes: 2, expand3x3Planes: 3, rng: &rng)
        XCTAssertEqual(fire.forward(Tensor(zeros: [1, 4, 3, 3])).shape, [1, 5, 3, 3])
        try checkGradients(fire, inputShape: [2, 4, 3, 3], parameter: fire.squeeze.weight)
    }

    func testDenseLayerGradients() throws {
        var rng = RandomGenerator(seed: 3, purpose: "init")
        let layer = DenseLayer(inputFeatures: 3, growthRate: 2, bottleneckSize: 2, rng: &rng)
        let x = randomTensor([1, 3, 3, 3], seed: 4)
        let y = layer.forward(x)
        XCTAssertEqual(y.shape, [1, 5, 3, 3])
        // The input passes through as the first channels.
        XCTAssertEqual(Array(y.data[0..<27]), x.data)
        try checkGradients(layer, inputShape: [2, 3, 3, 3], parameter: layer.conv1.weight)
        let block = DenseBlock(layers: 2, inputFeatures: 3, growthRate: 2, bottleneckSize: 2, rng: &rng)
        XCTAssertEqual(block.children.map(\.name), ["denselayer1", "denselayer2"])
        try checkGradients(block, inputShape: [2, 3, 3, 3], parameter: block.layers[0].conv2.weight)
    }

    func testInvertedResidualGradients() throws {
        // A seed whose ReLU6 inputs stay clear of the kinks by more than the finite-difference step.
        var rng = RandomGenerator(seed: 6, purpose: "init")
        let residual = InvertedResidual(inChannels: 3, outChannels: 3, stride: 1, expandRatio: 2, rng: &rng)
        XCTAssertTrue(residual.usesResidual)
        XCTAssertEqual(residual.conv.children.map(\.module.typeName), ["Conv2dNormActivation", "Conv2dNormActivation",
                                                                       "Conv2d", "BatchNorm2d"])
        try checkGradients(residual, inputShape: [2, 3, 4, 4], parameter: residual.conv.children[0].module
            .namedParameters()[0].parameter)
        let strided = InvertedResidual(inChannels: 3, outChannels: 4, stride: 2, expandRatio: 1, rng: &rng)
        XCTAssertFalse(strided.usesResidual)
        XCTAssertEqual(strided.conv.children.count, 3)
        try checkGradients(strided, inputShape: [2, 3, 4, 4], parameter: strided.conv.namedParameters()[0].parameter)
    }

    // MARK: - Helpers

    private func parameter(_ model: any Module, _ key: String) throws -> Tensor {
        try XCTUnwrap(model.namedParameters().first { $0.key == key }?.parameter.value, "no parameter \(key)")
    }

    private func checkStatistics(_ model: any Module, _ key: String, std expected: Float,
                                 file: StaticString = #filePath, line: UInt = #line) throws {
        let values = try parameter(model, key).data.map(Double.init)
        let mean = values.reduce(0, +) / Double(values.count)
        let std = (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count)).squareRoot()
        XCTAssertEqual(std, Double(expected), accuracy: 0.1 * Double(expected), "\(key) std", file: file, line: line)
        // Four standard errors of the mean.
        XCTAssertLessThan(abs(mean), 4 * Double(expected) / Double(values.count).squareRoot(), "\(key) mean",
                          file: file, line: line)
    }

    private func checkConstant(_ model: any Module, _ key: String, _ value: Float,
                               file: StaticString = #filePath, line: UInt = #line) throws {
        XCTAssertTrue(try parameter(model, key).data.allSatisfy { $0 == value }, "\(key) is not all \(value)",
                      file: file, line: line)
    }

    /// Input and one parameter gradient of L = Σ block(x) · r against central differences. In
    /// evaluation mode: with batch statistics over a few values per channel, L curves so sharply
    /// that central differences would need steps too small for Float32. Training mode through
    /// these blocks is compared with torch in ArchitectureParityTests.
    private func checkGradients(_ block: any Module, inputShape: [Int], parameter: Parameter,
                                file: StaticString = #filePath, line: UInt = #line) throws {
        block.eval()
        let x = randomTensor(inputShape, seed: 21)
        let r = lossWeights(block.forward(x).shape)
        block.zeroGradients()
        _ = block.forward(x)
        let gradInput = try XCTUnwrap(block.backward(r, needsInputGradient: true), file: file, line: line)
        let gradParameter = try XCTUnwrap(parameter.gradient, file: file, line: line)
        assertClose(gradInput, numericalGradient(at: x, eps: 1e-3) { block.forward($0).dot(r) }, rtol: 1e-2,
                    atol: 2e-3, "\(block.typeName) input gradient", file: file, line: line)
        let original = parameter.value
        let numeric = numericalGradient(at: original, eps: 1e-3) { value in
            parameter.value = value
            return block.forward(x).dot(r)
        }
        parameter.value = original
        assertClose(gradParameter, numeric, rtol: 1e-2, atol: 2e-3, "\(block.typeName) parameter gradient",
                    file: file, line: line)
    }
}
