// GoldenFile: one committed fixture made by a tools/make_*.py script — its tensors and its JSON metadata.

import Foundation
import Layers
import Tensors
import XCTest

public struct GoldenFile {
    public let name: String
    public let file: SafeTensors
    /// The JSON object stored as a string under one `__metadata__` key.
    public let metadata: [String: Any]

    /// Fixture names (file names without `.safetensors`) in `directory`, sorted.
    public static func names(in directory: URL) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasSuffix(".safetensors") }.map { String($0.dropLast(".safetensors".count)) }.sorted()
    }

    public init(directory: URL, name: String, metadataKey: String) throws {
        self.name = name
        file = try SafeTensors.read(path: directory.appendingPathComponent(name + ".safetensors").path)
        let json = Data((file.metadata[metadataKey] ?? "{}").utf8)
        metadata = (try JSONSerialization.jsonObject(with: json) as? [String: Any]) ?? [:]
    }

    public func tensor(_ key: String, file path: StaticString = #filePath, line: UInt = #line) throws -> Tensor {
        try XCTUnwrap(file.tensors[key], "\(name): no tensor `\(key)`", file: path, line: line)
    }
}
