// Fixture: one golden file written by tools/make_fixtures.py, with its layer configuration.

import Foundation
import Layers
import Tensors
import TestSupport
import XCTest

struct Fixture {
    let name: String
    let file: SafeTensors
    let layer: [String: Any]
    let training: Bool
    private let golden: GoldenFile

    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    static var all: [String] { GoldenFile.names(in: directory) }

    init(_ name: String) throws {
        golden = try GoldenFile(directory: Self.directory, name: name, metadataKey: "layer")
        self.name = name
        file = golden.file
        layer = golden.metadata
        training = file.metadata["training"] != "false"
    }

    func tensor(_ key: String, file path: StaticString = #filePath, line: UInt = #line) throws -> Tensor {
        try golden.tensor(key, file: path, line: line)
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
