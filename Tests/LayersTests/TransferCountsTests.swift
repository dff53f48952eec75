// TransferCountsTests: layer-group and trainable counts equal fastai's, number for number
// (../shared/reference/fastai-v2-counts.json and fastai-semantics.md §5).

import Layers
import Tensors
import XCTest

final class TransferCountsTests: XCTestCase {
    private func model(_ arch: Architecture, _ classes: Int, _ version: FastaiVersion, cut: BodyCut? = nil,
                       split: SplitRule = .automatic) throws -> TransferModel {
        var rng = RandomGenerator(seed: 1, purpose: "init")
        let model = try TransferModel.build(TransferSpec(architecture: arch, classes: classes, version: version,
                                                         cut: cut, split: split), rng: &rng)
        // The presets: 0.7 froze BatchNorm with everything else; v1 and v2 keep it training.
        model.trainBN = version != .v07
        return model
    }

    /// (groups, total, after freeze(), after freeze_to(1)) as fastai reports them.
    private func check(_ model: TransferModel, groups: [Int], total: Int, frozen: Int, freezeTo1: Int,
                       _ label: String, file: StaticString = #filePath, line: UInt = #line) throws {
        XCTAssertEqual(model.groups.map(\.parameterCount), groups, "\(label) groups", file: file, line: line)
        XCTAssertEqual(model.parameterCount, total, "\(label) total", file: file, line: line)
        try model.freeze()
        XCTAssertEqual(model.trainableParameterCount, frozen, "\(label) freeze()", file: file, line: line)
        try model.freeze(to: 1)
        XCTAssertEqual(model.trainableParameterCount, freezeTo1, "\(label) freeze_to(1)", file: file, line: line)
        try model.unfreeze()
        XCTAssertEqual(model.trainableParameterCount, total, "\(label) unfreeze()", file: file, line: line)
    }

    /// fastai-v2-counts.json, measured with fastai 2.8.12.
    static let fastai2: [(String, Int, [Int], total: Int, frozen: Int, freezeTo1: Int)] = [
        ("resnet18", 12, [683_072, 10_493_440, 533_504], total: 11_710_016, frozen: 543_104, freezeTo1: 11_028_864),
        ("resnet34", 12, [1_347_904, 19_936_768, 533_504], total: 21_818_176, frozen: 550_528, freezeTo1: 20_473_472),
        ("resnet50", 12, [1_444_928, 22_063_104, 2_112_512], total: 25_620_544, frozen: 2_165_632, freezeTo1: 24_185_728),
        ("vgg16_bn", 12, [1_737_792, 12_985_344, 533_504], total: 15_256_640, frozen: 541_952, freezeTo1: 13_521_152),
        ("densenet121", 12, [1_297_536, 5_656_320, 1_059_840], total: 8_013_696, frozen: 1_143_488, freezeTo1: 6_730_432),
        ("squeezenet1_1", 12, [25_632, 696_864, 533_504], total: 1_256_000, frozen: 533_504, freezeTo1: 1_230_368),
        ("alexnet", 12, [330_688, 2_139_008, 270_336], total: 2_740_032, frozen: 270_336, freezeTo1: 2_409_344),
        ("resnet18", 37, [683_072, 10_493_440, 546_304], total: 11_722_816, frozen: 555_904, freezeTo1: 11_041_664),
        ("resnet34", 37, [1_347_904, 19_936_768, 546_304], total: 21_830_976, frozen: 563_328, freezeTo1: 20_486_272),
        ("resnet50", 37, [1_444_928, 22_063_104, 2_125_312], total: 25_633_344, frozen: 2_178_432, freezeTo1: 24_198_528),
        ("vgg16_bn", 37, [1_737_792, 12_985_344, 546_304], total: 15_269_440, frozen: 554_752, freezeTo1: 13_533_952),
        ("densenet121", 37, [1_297_536, 5_656_320, 1_072_640], total: 8_026_496, frozen: 1_156_288, freezeTo1: 6_743_232),
        ("squeezenet1_1", 37, [25_632, 696_864, 546_304], total: 1_268_800, frozen: 546_304, freezeTo1: 1_243_168),
        ("alexnet", 37, [330_688, 2_139_008, 283_136], total: 2_752_832, frozen: 283_136, freezeTo1: 2_422_144),
    ]

    func testFastai2CountsMatchMeasuredFastai() throws {
        for (arch, classes, groups, total, frozen, freezeTo1) in Self.fastai2 {
            let architecture = try XCTUnwrap(Architecture(rawValue: arch))
            try check(try model(architecture, classes, .v2), groups: groups, total: total, frozen: frozen,
                      freezeTo1: freezeTo1, "\(arch)/\(classes) fastai2")
        }
    }

    func testFastai1WorkedExamples() throws {
        // §5.2: the reference notebook's resnet18 with 12 classes.
        let r18 = try model(.resnet18, 12, .v1)
        XCTAssertEqual(r18.groups.map(\.parameterCount), [683_072, 10_493_440, 534_028])
        try check(r18, groups: [683_072, 10_493_440, 534_028], total: 11_710_540, frozen: 543_628,
                  freezeTo1: 11_029_388, "resnet18/12 v1")
        // §5.3: resnet34 on Oxford-IIIT Pets.
        try check(try model(.resnet34, 37, .v1), groups: [1_347_904, 19_936_768, 546_853], total: 21_831_525,
                  frozen: 563_877, freezeTo1: 20_486_821, "resnet34/37 v1")
        // §5.5.
        try check(try model(.resnet50, 37, .v1), groups: [1_444_928, 22_063_104, 2_125_861], total: 25_633_893,
                  frozen: 2_178_981, freezeTo1: 24_199_077, "resnet50/37 v1")
        try check(try model(.densenet121, 37, .v1), groups: [1_297_536, 5_656_320, 1_073_189], total: 8_027_045,
                  frozen: 1_156_837, freezeTo1: 6_743_781, "densenet121/37 v1")
        try check(try model(.vgg16BN, 37, .v1), groups: [1_737_792, 12_985_344, 546_853], total: 15_269_989,
                  frozen: 555_301, freezeTo1: 13_534_501, "vgg16_bn/37 v1")
        try check(try model(.alexnet, 37, .v1), groups: [330_688, 2_139_008, 283_685], total: 2_753_381,
                  frozen: 283_685, freezeTo1: 2_422_693, "alexnet/37 v1")
        try check(try model(.mobilenetV2, 37, .v1), groups: [185_088, 2_038_784, 1_336_357], total: 3_560_229,
                  frozen: 1_370_469, freezeTo1: 3_382_885, "mobilenet_v2/37 v1")
    }

    func testSqueezenetHasFourGroupsUnderFastai1AndThreeUnderFastai2() throws {
        let v1 = try model(.squeezenet1_1, 37, .v1)
        try check(v1, groups: [25_632, 94_784, 602_080, 546_853], total: 1_269_349, frozen: 546_853,
                  freezeTo1: 1_243_717, "squeezenet1_1/37 v1")
        try v1.freeze(to: 2)
        XCTAssertEqual(v1.trainableParameterCount, 1_148_933)
        XCTAssertEqual(try model(.squeezenet1_1, 37, .v2).groups.count, 3)
    }

    func testMobilenetWithCutMinusOneAndTheDefaultSplit() throws {
        try check(try model(.mobilenetV2, 37, .v1, cut: .index(-1), split: .indices([])),
                  groups: [2_223_872, 1_336_357], total: 3_560_229, frozen: 1_370_469, freezeTo1: 1_370_469,
                  "mobilenet_v2 v1 cut -1")
        let v2 = try model(.mobilenetV2, 37, .v2)
        XCTAssertEqual(v2.groups.map(\.parameterCount), [2_223_872, 1_335_808])
        XCTAssertEqual(v2.parameterCount, 3_559_680)
        try v2.freeze()
        XCTAssertEqual(v2.trainableParameterCount, 1_369_920)
    }

    func testFastai07FreezesBatchNormToo() throws {
        // §5.3: the same resnet34/37 under 0.7, meta [8, 6]: frozen BatchNorm is frozen.
        try check(try model(.resnet34, 37, .v07), groups: [1_347_904, 19_936_768, 546_853], total: 21_831_525,
                  frozen: 546_853, freezeTo1: 20_483_621, "resnet34/37 fastai07")
        let explicit = try model(.resnet34, 37, .v1, split: .legacy(LegacyMeta(cut: 8, lrCut: 6)))
        XCTAssertEqual(explicit.groups.map(\.parameterCount), [1_347_904, 19_936_768, 546_853])
    }
}
