// Fixture: one golden file written by tools/make_fixtures.py, with its layer configuration.

import Foundation
import Layers
import Tensors
import XCTest

struct Fixture {
    let name: String
    let file: SafeTensors
    let layer: [String: Any]
    let training: Bool

    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    static var all: [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasSuffix(".safetensors") }.map { String($0.dropLast(".safetensors".count)) }.sorted()
    }

    init(_ name: String) throws {
        self.name = name
        file = try SafeTensors.read(path: Self.directory.appendingPathComponent(name + ".safetensors").path)
        let json = Data((file.metadata["layer"] ?? "{}").utf8)
        layer = (try JSONSerialization.jsonObject(with: json) as? [String: Any]) ?? [:]
        training = file.metadata["training"] != "false"
    }

    func tensor(_ key: String, file path: StaticString = #filePath, line: UInt = #line) throws -> Tensor {
        try XCTUnwrap(file.tensors[key], "\(name): no tensor `\(key)`", file: path, line: line)
    }

    func int(_ key: String) -> Int { (layer[key] as? NSNumber)?.intValue ?? 0 }
    func bool(_ key: String) -> Bool { (layer[key] as? NSNumber)?.boolValue ?? false }
    var type: String { layer["type"] as? String ?? "" }

    /// The tensors under `prefix.` with the prefix removed, e.g. a state dict under `state.`.
    func entries(_ prefix: String) -> SafeTensors {
        var result = SafeTensors()
        for (key, value) in file.tensors where key.hasPrefix(prefix + ".") {
            result.tensors[String(key.dropFirst(prefix.count + 1))] = value
        }
        return result
    }
}
