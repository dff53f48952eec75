// SafeTensorsTests: round trips, dtype conversion, and hostile files that must fail with a clear error.

import Foundation
import Layers
import Tensors
import XCTest

final class SafeTensorsTests: XCTestCase {
    private func header(_ json: String, data: [UInt8] = []) -> Data {
        var bytes = Data()
        withUnsafeBytes(of: UInt64(json.utf8.count).littleEndian) { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: Array(json.utf8))
        bytes.append(contentsOf: data)
        return bytes
    }

    private func expectError(_ data: Data, _ check: (WeightsError) -> Bool, file: StaticString = #filePath,
                             line: UInt = #line) {
        XCTAssertThrowsError(try SafeTensors.parse(data, path: "w.safetensors"), file: file, line: line) { error in
            guard let weightsError = error as? WeightsError else {
                return XCTFail("not a WeightsError: \(error)", file: file, line: line)
            }
            XCTAssertTrue(check(weightsError), "unexpected error: \(weightsError)", file: file, line: line)
            XCTAssertTrue(weightsError.description.hasPrefix("w.safetensors: "), file: file, line: line)
        }
    }

    func testRoundTripKeepsValuesShapesCountersAndMetadata() throws {
        var file = SafeTensors()
        file.tensors["conv1.weight"] = Tensor(shape: [2, 1, 1, 2], data: [1, -2, 3.5, 1e-8])
        file.tensors["bn1.num_batches_tracked"] = Tensor(shape: [], data: [7])
        file.dtypes["bn1.num_batches_tracked"] = .i64
        file.metadata["format"] = "pt"
        let parsed = try SafeTensors.parse(file.serialized())
        XCTAssertEqual(parsed.tensors, file.tensors)
        XCTAssertEqual(parsed.dtypes["bn1.num_batches_tracked"], .i64)
        XCTAssertEqual(parsed.dtypes["conv1.weight"], .f32)
        XCTAssertEqual(parsed.metadata, ["format": "pt"])
    }

    func testWriteIsAtomicAndReadable() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("st-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("w.safetensors").path
        let file = SafeTensors(tensors: ["a": Tensor(shape: [3], data: [1, 2, 3])])
        try file.write(path: path)
        try SafeTensors(tensors: ["a": Tensor(shape: [1], data: [9])]).write(path: path)
        XCTAssertEqual(try SafeTensors.read(path: path).tensors["a"], Tensor(shape: [1], data: [9]))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.path), ["w.safetensors"])
    }

    func testHalfPrecisionAndIntegersConvertToFloat() throws {
        // 1.0 and -2.0 in F16 (0x3C00, 0xC000) and BF16 (0x3F80, 0xC000); 5 and -1 in I32.
        let json = #"{"h":{"dtype":"F16","shape":[2],"data_offsets":[0,4]},"b":{"dtype":"BF16","shape":[2],"data_offsets":[4,8]},"i":{"dtype":"I32","shape":[2],"data_offsets":[8,16]}}"#
        let data = header(json, data: [0x00, 0x3C, 0x00, 0xC0, 0x80, 0x3F, 0x00, 0xC0,
                                       5, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF])
        let parsed = try SafeTensors.parse(data)
        XCTAssertEqual(parsed.tensors["h"]?.data, [1, -2])
        XCTAssertEqual(parsed.tensors["b"]?.data, [1, -2])
        XCTAssertEqual(parsed.tensors["i"]?.data, [5, -1])
    }

    func testEmptyAndTruncatedFiles() throws {
        expectError(Data()) { if case .truncated = $0 { return true }; return false }
        expectError(Data([1, 0, 0])) { if case .truncated = $0 { return true }; return false }
        let good = SafeTensors(tensors: ["a": Tensor(shape: [4], data: [1, 2, 3, 4])]).serialized()
        expectError(good.prefix(good.count - 3)) { if case .truncated = $0 { return true }; return false }
        expectError(good.prefix(20)) { if case .truncated = $0 { return true }; return false }
    }

    func testHeaderThatLies() {
        var huge = Data()
        withUnsafeBytes(of: UInt64.max.littleEndian) { huge.append(contentsOf: $0) }
        expectError(huge) { if case .badHeader = $0 { return true }; return false }
        expectError(header("not json")) { if case .badHeader = $0 { return true }; return false }
        expectError(header("[1, 2]")) { if case .badHeader = $0 { return true }; return false }
        // Shape needs 16 bytes, offsets give 8.
        expectError(header(#"{"a":{"dtype":"F32","shape":[4],"data_offsets":[0,8]}}"#, data: Array(repeating: 0, count: 8))) {
            if case let .badTensor(_, key, reason) = $0 { return key == "a" && reason.contains("needs 16 bytes") }
            return false
        }
        // Offsets beyond the data.
        expectError(header(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#, data: [0, 0, 0, 0])) {
            if case .truncated = $0 { return true }; return false
        }
        // Overlapping tensors.
        expectError(header(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#,
                           data: Array(repeating: 0, count: 8))) {
            if case let .badTensor(_, _, reason) = $0 { return reason.contains("overlap") }
            return false
        }
        expectError(header(#"{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,0]}}"#)) {
            if case .badTensor = $0 { return true }; return false
        }
        expectError(header(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[8,0]}}"#)) {
            if case .badTensor = $0 { return true }; return false
        }
        expectError(header(#"{"a":{"dtype":"F32","shape":[65536,65536],"data_offsets":[0,0]}}"#)) {
            if case .badTensor = $0 { return true }; return false
        }
        expectError(header(#"{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}"#, data: [0])) {
            if case let .unsupportedDType(_, key, dtype) = $0 { return key == "a" && dtype == "U8" }
            return false
        }
        expectError(header(#"{"__metadata__":{"a":1}}"#)) { if case .badHeader = $0 { return true }; return false }
    }

    func testLoadStateDictReportsEveryMismatchAndChangesNothing() throws {
        var rng = RandomGenerator(seed: 3)
        let model = Sequential([LinearLayer(inFeatures: 3, outFeatures: 2, rng: &rng), BatchNormLayer(channels: 2, dimensions: 1)])
        let before = model.stateDict().tensors
        var file = model.stateDict()
        file.tensors["0.weight"] = Tensor(zeros: [2, 4])
        file.tensors["1.bias"] = nil
        file.tensors["fc.weight"] = Tensor(zeros: [1])
        file.tensors["0.bias"] = Tensor(zeros: [2])
        XCTAssertThrowsError(try model.loadStateDict(file, path: "w.safetensors")) { error in
            guard case let WeightsError.mismatch(_, missing, unexpected, shapes)? = error as? WeightsError else {
                return XCTFail("\(error)")
            }
            XCTAssertEqual(missing, ["1.bias"])
            XCTAssertEqual(unexpected, ["fc.weight"])
            XCTAssertEqual(shapes, [WeightsError.ShapeMismatch(key: "0.weight", expected: [2, 3], found: [2, 4])])
            let text = "\(error)"
            XCTAssertTrue(text.contains("`0.weight`: model expects [2, 3], file has [2, 4]"), text)
        }
        XCTAssertEqual(model.stateDict().tensors, before)
    }

    func testStateDictUsesTorchKeys() {
        var rng = RandomGenerator(seed: 3)
        let block = BasicBlock(inPlanes: 4, planes: 8, stride: 2, downsample: Sequential([
            Conv2dLayer(inChannels: 4, outChannels: 8, kernelSize: (1, 1), stride: (2, 2), bias: false, rng: &rng),
            BatchNormLayer(channels: 8),
        ]), rng: &rng)
        let keys = Set(block.stateDict().tensors.keys)
        XCTAssertEqual(keys, [
            "conv1.weight", "conv2.weight", "downsample.0.weight",
            "bn1.weight", "bn1.bias", "bn1.running_mean", "bn1.running_var", "bn1.num_batches_tracked",
            "bn2.weight", "bn2.bias", "bn2.running_mean", "bn2.running_var", "bn2.num_batches_tracked",
            "downsample.1.weight", "downsample.1.bias", "downsample.1.running_mean", "downsample.1.running_var",
            "downsample.1.num_batches_tracked",
        ])
        XCTAssertEqual(block.parameterCount, 4 * 8 * 9 + 8 * 8 * 9 + 4 * 8 + 3 * 16)
    }
}
