// TorchCheckpointTests: .pth files written by torch.save (zip and legacy) against the safetensors export, and hostile files.

import Foundation
@testable import Layers
import Tensors
import XCTest

private let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("Fixtures/pth")

private func fixture(_ name: String) -> String { fixtures.appendingPathComponent(name).path }

final class TorchCheckpointTests: XCTestCase {
    func testZipAndLegacyMatchTheSafetensorsExport() throws {
        let expected = try SafeTensors.read(path: fixture("squeezenet1_1.safetensors"))
        for name in ["squeezenet1_1.pth", "squeezenet1_1-legacy.pth"] {
            XCTAssertTrue(WeightsFile.isTorchCheckpoint(path: fixture(name)))
            let loaded = try WeightsFile.read(path: fixture(name))
            XCTAssertEqual(loaded.notes, [], name)
            XCTAssertEqual(Set(loaded.stateDict.tensors.keys), Set(expected.tensors.keys), name)
            for (key, tensor) in expected.tensors {
                XCTAssertEqual(loaded.stateDict.tensors[key], tensor, "\(name): \(key)")
            }
        }
        XCTAssertFalse(WeightsFile.isTorchCheckpoint(path: fixture("squeezenet1_1.safetensors")))
    }

    func testHalfPrecisionRoundsLikeTorch() throws {
        let expected = try SafeTensors.read(path: fixture("squeezenet1_1.safetensors"))
        let loaded = try WeightsFile.read(path: fixture("squeezenet1_1-half.pth")).stateDict
        for (key, tensor) in expected.tensors {
            XCTAssertEqual(loaded.dtypes[key], .f16, key)
            // torch's .half() rounds to nearest even, as Float16(_:) does.
            XCTAssertEqual(loaded.tensors[key]?.data, tensor.data.map { Float(Float16($0)) }, key)
        }
    }

    func testDTypesSharedStoragesViewsAndNestedPrefixedLayout() throws {
        let expected = try SafeTensors.read(path: fixture("variants.safetensors"))
        for name in ["variants.pth", "variants-legacy.pth"] {
            let loaded = try WeightsFile.read(path: fixture(name))
            XCTAssertEqual(loaded.notes, ["took the state dict from the checkpoint's `model` entry",
                                          "dropped the `module.` prefix of every key"], name)
            let file = loaded.stateDict
            XCTAssertEqual(Set(file.tensors.keys), Set(expected.tensors.keys), name)
            for (key, tensor) in expected.tensors {
                XCTAssertEqual(file.tensors[key], tensor, "\(name): \(key)")
            }
            XCTAssertEqual(file.dtypes["half"], .f16)
            XCTAssertEqual(file.dtypes["bfloat"], .bf16)
            XCTAssertEqual(file.dtypes["double"], .f64)
            XCTAssertEqual(file.dtypes["count"], .i64)
            XCTAssertEqual(file.tensors["count"]?.shape, [])
            XCTAssertEqual(file.tensors["transposed"]?.shape, [5, 3])
            XCTAssertEqual(file.tensors["shared.a"]?.shape, [2, 5])

            let configured = try WeightsFile.read(path: fixture(name),
                                                  selection: StateDictSelection(key: "model", stripPrefix: "module."))
            XCTAssertEqual(configured.notes, [])
            XCTAssertEqual(configured.stateDict.tensors, file.tensors)
            let keepPrefix = try WeightsFile.read(path: fixture(name), selection: StateDictSelection(stripPrefix: ""))
            XCTAssertTrue(keepPrefix.stateDict.tensors.keys.allSatisfy { $0.hasPrefix("module.") })
        }
    }

    func testUnknownLayoutsListTheTopLevelKeys() throws {
        assertError(try WeightsFile.read(path: fixture("variants.pth"), selection: StateDictSelection(key: "state")),
                    contains: ["no top-level key `state`", "`epoch`", "`model`", "key: NAME"])
        assertError(try WeightsFile.read(path: fixture("variants.pth"), selection: StateDictSelection(key: "epoch")),
                    contains: ["`epoch` holds a int, not a dict"])
        assertError(try WeightsFile.read(path: fixture("variants.pth"), selection: StateDictSelection(stripPrefix: "body.")),
                    contains: ["no key starts with strip_prefix `body.`"])
        assertError(try WeightsFile.read(path: fixture("squeezenet1_1.safetensors"), selection: StateDictSelection(key: "model")),
                    contains: ["applies to torch checkpoints"])
    }

    func testForeignGlobalsAreRefusedByName() throws {
        assertError(try WeightsFile.read(path: fixture("foreign-global.pth")), contains: ["`posix.system`", "refuses"])
        assertError(try WeightsFile.read(path: fixture("foreign-global-legacy.pth")), contains: ["`__builtin__.eval`"])
    }

    func testLoadedWeightsGiveTorchsLogits() throws {
        let reference = try SafeTensors.read(path: fixture("squeezenet1_1-logits.safetensors"))
        let input = try XCTUnwrap(reference.tensors["input"]), logits = try XCTUnwrap(reference.tensors["logits"])
        for name in ["squeezenet1_1.pth", "squeezenet1_1-legacy.pth"] {
            var rng = RandomGenerator(seed: 0, purpose: "init")
            let model = Architecture.squeezenet1_1.build(numClasses: 10, rng: &rng)
            try model.loadStateDict(try WeightsFile.read(path: fixture(name)).stateDict, path: name)
            model.eval()
            let output = model.forward(input)
            let scale = logits.data.map(abs).max() ?? 1
            let worst = zip(output.data, logits.data).map { abs($0 - $1) }.max() ?? .infinity
            XCTAssertLessThanOrEqual(worst, 1e-5 * scale, "\(name): logits differ from torch's by \(worst)")
        }
    }

    func testNumBatchesTrackedMayBeAbsent() throws {
        var rng = RandomGenerator(seed: 1, purpose: "init")
        let model = Architecture.resnet18.build(numClasses: 10, rng: &rng)
        var state = model.stateDict()
        state.tensors = state.tensors.filter { !$0.key.hasSuffix("num_batches_tracked") }
        XCTAssertNoThrow(try model.loadStateDict(state))
        state.tensors["fc.bias"] = nil
        XCTAssertThrowsError(try model.loadStateDict(state)) { XCTAssertTrue("\($0)".contains("fc.bias")) }
    }

    func testNonFiniteWeightsAreRefusedWithTheirKey() throws {
        var rng = RandomGenerator(seed: 1, purpose: "init")
        let model = Architecture.squeezenet1_1.build(numClasses: 10, rng: &rng)
        let before = model.stateDict()
        for poison in [Float.nan, .infinity, -.infinity] {
            var state = try WeightsFile.read(path: fixture("squeezenet1_1.pth")).stateDict
            var values = try XCTUnwrap(state.tensors["features.3.squeeze.weight"])
            values.data[7] = poison
            values.data[9] = poison
            state.tensors["features.3.squeeze.weight"] = values
            XCTAssertThrowsError(try model.loadStateDict(state, path: "poisoned.pth")) {
                XCTAssertEqual($0 as? WeightsError, .nonFinite(path: "poisoned.pth", key: "features.3.squeeze.weight",
                                                               count: 2, total: values.count))
                XCTAssertTrue("\($0)".contains("non-finite"))
            }
            XCTAssertEqual(model.stateDict().tensors, before.tensors, "a refused file changed the model")
        }
    }

    // MARK: hostile files

    func testTruncatedFilesGiveErrors() throws {
        for name in ["variants.pth", "variants-legacy.pth"] {
            let bytes = try Data(contentsOf: URL(fileURLWithPath: fixture(name)))
            for length in stride(from: 0, to: bytes.count, by: 1) {
                let path = try temporary(bytes.prefix(length))
                XCTAssertThrowsError(try WeightsFile.read(path: path), "\(name) cut at \(length) loaded")
            }
        }
    }

    func testBitFlipsNeverCrash() throws {
        var generator = SeededBytes(seed: 0x5EED)
        for name in ["variants.pth", "variants-legacy.pth"] {
            let original = try Data(contentsOf: URL(fileURLWithPath: fixture(name)))
            for _ in 0..<1500 {
                var bytes = original
                for _ in 0..<(1 + generator.next() % 4) {
                    let at = Int(generator.next() % UInt64(bytes.count))
                    bytes[at] ^= UInt8(1 << (generator.next() % 8))
                }
                // Either outcome is fine; what matters is no crash and no runaway allocation.
                _ = try? WeightsFile.read(path: try temporary(bytes))
            }
        }
    }

    func testLyingSizesAreCaught() throws {
        // The zip entry of storage 0 (432 bytes) holds 108 values; the pickle claims 216, same length.
        let zip = try Data(contentsOf: URL(fileURLWithPath: fixture("variants.pth")))
        var lying = zip
        let pattern = Data([0x75, 0x71, 0x08, 0x4B, 0x6C])  // 'cpu', BINPUT 8, BININT1 108
        let range = try XCTUnwrap(lying.range(of: pattern))
        lying.replaceSubrange(range, with: Data([0x75, 0x71, 0x08, 0x4B, 0xD8]))
        assertError(try WeightsFile.read(path: try temporary(lying)), contains: ["storage `0` declares 216"])

        // The legacy size field of the first storage: 108 → 2^40 values.
        let legacy = try Data(contentsOf: URL(fileURLWithPath: fixture("variants-legacy.pth")))
        var huge = legacy
        let size = try XCTUnwrap(huge.range(of: Data([0x6C, 0, 0, 0, 0, 0, 0, 0])))
        huge.replaceSubrange(size, with: Data([0x6C, 0, 0, 0, 0, 1, 0, 0]))
        assertError(try WeightsFile.read(path: try temporary(huge)), contains: ["storage `", "holds"])
    }

    func testViewsThatOverflowOrExpandWithoutBoundAreHandled() throws {
        // Empty views read nothing, whatever offset or sizes they claim.
        XCTAssertEqual(try WeightsFile.read(path: fixture("hostile-empty-offset.pth")).stateDict.tensors["w"]?.shape, [0])
        XCTAssertEqual(try WeightsFile.read(path: fixture("hostile-empty-huge.pth")).stateDict.tensors["w"]?.shape,
                       [0, 1 << 32, 1 << 32])
        assertError(try WeightsFile.read(path: fixture("hostile-broadcast.pth")), contains: ["expand to 2147483647 values"])
    }

    func testInt64ExtremesConvertWithoutTrapping() throws {
        let loaded = try WeightsFile.read(path: fixture("int64-extremes.pth")).stateDict
        XCTAssertEqual(loaded.dtypes["n"], .i64)
        let bytes = loaded.serialized()
        let again = try SafeTensors.parse(bytes)
        XCTAssertEqual(again.tensors["n"]?.data, [Float(Int64.max), Float(Int64.min)])
    }

    func testPrefixesThatMakeTwoKeysOneAreRefused() throws {
        var file = SafeTensors()
        file.tensors = ["module.fc.weight": Tensor(shape: [1], data: [1]), "fc.weight": Tensor(shape: [1], data: [2])]
        let path = try temporary(file.serialized())
        assertError(try WeightsFile.read(path: path, selection: StateDictSelection(stripPrefix: "module.")),
                    contains: ["both become `fc.weight`"])
    }

    func testASafetensorsHeaderStartingLikeAPickleIsNotTakenForOne() throws {
        // A header of 640 bytes begins 80 02 00 00 …, as a protocol-2 pickle does.
        var file = SafeTensors(tensors: ["w": Tensor(shape: [1], data: [3])])
        file.metadata = ["pad": ""]
        var bytes = file.serialized()
        let length = bytes.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        file.metadata["pad"] = String(repeating: " ", count: 640 - length)
        bytes = file.serialized()
        XCTAssertEqual(Array(bytes.prefix(2)), [0x80, 0x02])
        let path = try temporary(bytes)
        XCTAssertFalse(WeightsFile.isTorchCheckpoint(path: path))
        XCTAssertEqual(try WeightsFile.read(path: path).stateDict.tensors["w"]?.data, [3])
    }

    func testPickleBombsGiveErrors() throws {
        let proto: [UInt8] = [0x80, 0x02]
        // Deep nesting through MARKs, and through lists appended into lists.
        assertError(try read(proto + [UInt8](repeating: 0x28, count: 100_000)), contains: ["nesting deeper than"])
        assertError(try read(proto + [UInt8](repeating: 0x5D, count: 5000) + [UInt8](repeating: 0x61, count: 4999)),
                    contains: ["nested deeper than"])
        // A list filled through the memo after it was nested: its parents' depth would not see it.
        assertError(try read(proto + [0x5D, 0x71, 1, 0x68, 1, 0x5D, 0x71, 2, 0x61, 0x30, 0x68, 2, 0x5D, 0x61]),
                    contains: ["already inside another value"])
        // A memo index far beyond anything stored, and a huge one stored.
        assertError(try read(proto + [0x6A, 0xF0, 0xFF, 0xFF, 0xFF]), contains: ["memo index 4294967280"])
        // Declared lengths far beyond the file.
        assertError(try read(proto + [0x8D] + [UInt8](repeating: 0xFF, count: 7) + [0x0F]),
                    contains: ["where 0 remain"])
        assertError(try read(proto + [0x8B, 0xFF, 0xFF, 0xFF, 0x7F]), contains: ["where 0 remain"])
        // A storage claiming 2^60 values.
        var pid: [UInt8] = proto + [0x28]
        pid += [0x58, 7, 0, 0, 0] + Array("storage".utf8)
        pid += [0x63] + Array("torch\nFloatStorage\n".utf8)
        pid += [0x58, 1, 0, 0, 0, 0x30, 0x58, 3, 0, 0, 0] + Array("cpu".utf8)
        pid += [0x8A, 8, 0, 0, 0, 0, 0, 0, 0, 0x10, 0x74, 0x51, 0x2E]
        assertError(try read(pid), contains: ["not a storage of a known type within the file's size"])
        // An unknown opcode.
        assertError(try read(proto + [0xFF]), contains: ["opcode 0xFF"])
    }

    // MARK: helpers

    /// Raw pickles go to the torch reader directly: without the legacy magic number the format
    /// detection would (rightly) take them for safetensors.
    private func read(_ bytes: [UInt8]) throws -> WeightsFile.Loaded {
        try WeightsFile.readTorch(path: try temporary(Data(bytes)), selection: StateDictSelection())
    }

    private var files: [URL] = []

    private func temporary(_ data: Data) throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("runner-pth-\(getpid())-\(files.count).pth")
        try data.write(to: url)
        files.append(url)
        return url.path
    }

    override func tearDown() {
        for url in files { try? FileManager.default.removeItem(at: url) }
        files = []
        super.tearDown()
    }

    private func assertError<T>(_ expression: @autoclosure () throws -> T, contains parts: [String],
                                file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try expression(), file: file, line: line) { error in
            XCTAssertTrue(error is WeightsError, "not a WeightsError: \(error)", file: file, line: line)
            let text = "\(error)"
            for part in parts {
                XCTAssertTrue(text.contains(part), "`\(text)` does not contain `\(part)`", file: file, line: line)
            }
        }
    }
}

/// splitmix64: a fixed stream of numbers for the fuzz loop.
private struct SeededBytes {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
