// ConfigTestCase: shared helpers — write a YAML string to a temp dir, load it, and check errors by message and position.

@testable import Experiments
import Foundation
import XCTest

class ConfigTestCase: XCTestCase {
    var directory = ""

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("experiments-\(getpid())-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// The smallest valid file; tests build theirs from pieces like it.
    static let minimal = """
        version: 1
        name: t
        data:
          source: generated
        model:
          arch: resnet18
        schedule:
          - {name: frozen, freeze_to: -1, epochs: 1, lr: 1e-3}
        """

    var repositoryRoot: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().path
    }

    func write(_ yaml: String, name: String = "exp.yaml") -> String {
        let path = (directory as NSString).appendingPathComponent(name)
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data(yaml.utf8)))
        return path
    }

    func options(checkFiles: Bool = false) -> ConfigLoader.Options {
        ConfigLoader.Options(checkFiles: checkFiles, baseDirectory: directory)
    }

    func load(_ yaml: String, overrides: [String] = [], checkFiles: Bool = false,
              file: StaticString = #filePath, line: UInt = #line) -> LoadedConfig? {
        do {
            return try ConfigLoader.load(path: write(yaml), overrides: overrides, options: options(checkFiles: checkFiles))
        } catch {
            XCTFail("expected the config to load, got:\n\(error)", file: file, line: line)
            return nil
        }
    }

    func errors(_ yaml: String, overrides: [String] = [], checkFiles: Bool = false,
                file: StaticString = #filePath, line: UInt = #line) -> [ConfigError] {
        do {
            _ = try ConfigLoader.load(path: write(yaml), overrides: overrides, options: options(checkFiles: checkFiles))
            XCTFail("expected errors, the config loaded", file: file, line: line)
            return []
        } catch {
            return error.errors
        }
    }

    /// Exactly one error, whose description contains `fragment`, at `row:column` of the temp file.
    func expectError(_ yaml: String, _ fragment: String, at row: Int, _ column: Int, overrides: [String] = [],
                     checkFiles: Bool = false, file: StaticString = #filePath, line: UInt = #line) {
        let found = errors(yaml, overrides: overrides, checkFiles: checkFiles, file: file, line: line)
        guard found.count == 1, let error = found.first else {
            return XCTFail("expected one error containing \(fragment), got \(found.count):\n"
                           + found.map(\.description).joined(separator: "\n"), file: file, line: line)
        }
        XCTAssertTrue(error.description.contains(fragment), "\(error.description)\n  lacks: \(fragment)",
                      file: file, line: line)
        XCTAssertEqual(error.line, row, "line of: \(error)", file: file, line: line)
        XCTAssertEqual(error.column, column, "column of: \(error)", file: file, line: line)
        XCTAssertEqual(error.file, (directory as NSString).appendingPathComponent("exp.yaml"), file: file, line: line)
        XCTAssertTrue(error.description.hasPrefix("\(directory)/exp.yaml:\(row):\(column): "), error.description,
                      file: file, line: line)
    }
}
