// InvalidConfigCorpusTests: every file in Tests/CLITests/InvalidConfigs, and bad --set overrides and weights files, make `runner run` and `runner validate` exit 2 with their own message and leave no run directory.

import Foundation
import XCTest

/// Each corpus file holds one mistake and starts with `# expect: LINE:COLUMN: FRAGMENT`: the runner
/// must print exactly one error, at that position of the file, whose message begins with FRAGMENT.
/// ` … ` in a fragment stands for any text (it shortens long lists of choices).
final class InvalidConfigCorpusTests: XCTestCase {
    /// As the runner is given it (it runs in the repository), so messages name the file this way.
    private static let corpusPath = "Tests/CLITests/InvalidConfigs"
    private static let minimumCorpusSize = 131

    private struct Expectation {
        var file: String
        var line: Int
        var column: Int
        var fragment: String

        var name: String { (file as NSString).lastPathComponent }
    }

    /// XCTest makes one instance per test, so each test has its own folder.
    private let directory = FileManager.default.temporaryDirectory.appendingPathComponent("invalid-\(UUID().uuidString)")

    override func setUpWithError() throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    // MARK: The corpus

    func testCorpusIsLargeAndEveryExpectedMessageIsDistinct() throws {
        let corpus = try Self.corpus()
        XCTAssertGreaterThanOrEqual(corpus.count, Self.minimumCorpusSize, "too few invalid configs")
        var seen: [String: String] = [:]
        for expectation in corpus {
            XCTAssertGreaterThanOrEqual(expectation.fragment.count, 20,
                                        "\(expectation.name): the expected message is not specific")
            if let other = seen[expectation.fragment] {
                XCTFail("\(expectation.name) and \(other) expect the same message: \(expectation.fragment)")
            }
            seen[expectation.fragment] = expectation.name
        }
        let others = try FileManager.default.contentsOfDirectory(
            atPath: RunnerBinary.repository.appendingPathComponent(Self.corpusPath).path)
            .filter { !$0.hasSuffix(".yaml") }
        XCTAssertEqual(others, [], "the corpus holds only .yaml files")
    }

    func testRunRejectsEveryCorpusFileWithItsMessageAndLeavesNoRunDirectory() throws {
        let corpus = try Self.corpus()
        XCTAssertFalse(corpus.isEmpty)
        let runs = corpus.map { directory.appendingPathComponent("runs-" + $0.name) }
        let results = try Self.concurrently(corpus.indices.map { ["run", corpus[$0].file, "--runs", runs[$0].path] })
        for (index, expectation) in corpus.enumerated() {
            check(results[index], expectation.name,
                  at: "\(expectation.file):\(expectation.line):\(expectation.column): ", expectation.fragment,
                  runs: runs[index])
        }
    }

    func testValidateRejectsEveryCorpusFileWithTheSameMessage() throws {
        let corpus = try Self.corpus()
        XCTAssertFalse(corpus.isEmpty)
        let results = try Self.concurrently(corpus.map { ["validate", $0.file] })
        for (index, expectation) in corpus.enumerated() {
            check(results[index], "validate " + expectation.name,
                  at: "\(expectation.file):\(expectation.line):\(expectation.column): ", expectation.fragment,
                  runs: nil)
        }
    }

    // MARK: --set overrides

    func testBadOverridesAreNamedByTheirSetAndLeaveNoRunDirectory() throws {
        let config = try write("""
            version: 1
            name: overridden
            data: {source: generated, variant: source, classes: 3, images_per_class: 4, size: 32}
            model: {arch: resnet18}
            schedule:
              - {name: frozen, freeze_to: -1, epochs: 1, lr: 1e-3}
            """, "overridden.yaml")
        let cases: [(set: String, prefix: String, fragment: String)] = [
            ("schedule.0.epoch=3", "--set schedule.0.epoch: ",
             "no key `schedule.0.epoch` in the experiment file — did you mean `epochs`?"),
            ("modle.arch=resnet34", "--set modle.arch: ", "no key `modle` in the experiment file — did you mean `model`?"),
            ("train.optimizer.bettas=[0.9, 0.99]", "--set train.optimizer.bettas: ",
             "no key `train.optimizer.bettas` in the experiment file — did you mean `betas`?"),
            ("schedule.0.epochs=two", "--set schedule.0.epochs: ", "expected an integer ≥ 1, found \"two\""),
            ("data.augment.flip=maybe", "--set data.augment.flip: ", "expected true or false, found \"maybe\""),
            ("seed", "--set seed: ", "expected key.path=value, found \"seed\""),
            ("schedule.2.epochs=3", "--set schedule.2.epochs: ", "`schedule` has 1 entry; no index `2`"),
            ("model.meta=[8, 6", "--set model.meta: ", "YAML syntax error"),
            ("schedule.0.freeze_to=9", "--set schedule.0.freeze_to: ",
             "freeze_to 9 is outside the model's 3 layer groups"),
            ("model.split=[4, 9]", "--set model.split: ", "split index 9 is outside the body of resnet18"),
            ("data={source: folder, path: no/such/images}", "--set data: ",
             "data.path: expected an existing image folder, found \"no/such/images\""),
            ("model.classes=5", "--set model.classes: ",
             "expected 3, the generated dataset's data.classes (or no `classes`), found 5"),
            ("model.weights=no/such.safetensors", "--set model.weights: ",
             "expected an existing weights file, found \"no/such.safetensors\""),
            ("sweep={data.sise: [32, 64]}", "--set sweep: ", "data.sise: no key `data.sise` in the experiment file"
                + " — did you mean `size`?"),
        ]
        for (set, prefix, fragment) in cases {
            let runs = directory.appendingPathComponent("runs-set")
            let result = try RunnerBinary.run(["run", config, "--runs", runs.path, "--set", set])
            check(result, "--set \(set)", at: prefix, fragment, runs: runs)
            let validated = try RunnerBinary.run(["validate", config, "--set", set])
            check(validated, "validate --set \(set)", at: prefix, fragment, runs: nil)
        }
    }

    // MARK: Weights files that exist but do not fit

    func testWeightsFilesWithWrongKeysShapesOrFormatAreRejected() throws {
        let wrongKeys = directory.appendingPathComponent("wrong-keys.safetensors")
        try safetensors(key: "foo.weight", shape: [2], to: wrongKeys)
        let wrongShape = directory.appendingPathComponent("wrong-shape.safetensors")
        try safetensors(key: "conv1.weight", shape: [2], to: wrongShape)
        let garbage = directory.appendingPathComponent("garbage.safetensors")
        try Data("not a safetensors file".utf8).write(to: garbage)
        let cases: [(weights: URL, fragment: String)] = [
            (wrongKeys, "weights do not match the model: … missing keys (100): bn1.bias, … unexpected keys (1): foo.weight"),
            (wrongShape, "weights do not match the model: … shape mismatch for `conv1.weight`: model expects"
                + " [64, 3, 7, 7], file has [2]"),
            (garbage, "not a valid safetensors file"),
        ]
        for (weights, fragment) in cases {
            let name = weights.deletingPathExtension().lastPathComponent
            let config = try write("""
                version: 1
                data: {source: generated, variant: source, classes: 3, images_per_class: 4, size: 32}
                model: {arch: resnet18, weights: \(weights.path)}
                schedule:
                  - {name: frozen, freeze_to: -1, epochs: 1, lr: 1e-3}
                """, name + ".yaml")
            let runs = directory.appendingPathComponent("runs-" + name)
            let prefix = "\(config):3:34: model.weights: \(weights.path): "
            check(try RunnerBinary.run(["run", config, "--runs", runs.path]), name, at: prefix, fragment, runs: runs)
            check(try RunnerBinary.run(["validate", config]), "validate " + name, at: prefix, fragment, runs: nil)
        }
    }

    // MARK: Helpers

    /// Runs the runner once per argument list, as many at a time as there are cores; results in order.
    private static func concurrently(_ argumentLists: [[String]])
        throws -> [(status: Int32, output: String, error: String)] {
        let lock = NSLock()
        var results = [Result<(status: Int32, output: String, error: String), Error>?](repeating: nil,
                                                                                       count: argumentLists.count)
        DispatchQueue.concurrentPerform(iterations: argumentLists.count) { index in
            let result = Result { try RunnerBinary.run(argumentLists[index]) }
            lock.lock()
            results[index] = result
            lock.unlock()
        }
        return try results.map { result in
            guard let result else { throw CorpusError(description: "a runner process was never started") }
            return try result.get()
        }
    }

    /// The corpus files in name order, each with the expectation on its first line.
    private static func corpus() throws -> [Expectation] {
        let folder = RunnerBinary.repository.appendingPathComponent(corpusPath)
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".yaml") }
        return try names.sorted().map { name in
            let text = try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
            let first = text.prefix { $0 != "\n" }
            let marker = "# expect: "
            let fields = first.dropFirst(marker.count).split(separator: ":", maxSplits: 2)
            guard first.hasPrefix(marker), fields.count == 3, let line = Int(fields[0]), let column = Int(fields[1]),
                  fields[2].hasPrefix(" ") else {
                throw CorpusError(description: "\(name): the first line is not `# expect: LINE:COLUMN: MESSAGE`")
            }
            return Expectation(file: corpusPath + "/" + name, line: line, column: column,
                               fragment: String(fields[2].dropFirst()))
        }
    }

    private struct CorpusError: Error, CustomStringConvertible {
        var description: String
    }

    /// Exit status 2, nothing on standard output, exactly one error — a line of standard error that
    /// starts with `prefix` followed by the fragment — and, for `run`, an empty or absent runs folder.
    private func check(_ result: (status: Int32, output: String, error: String), _ name: String, at prefix: String,
                       _ fragment: String, runs: URL?, file: StaticString = #filePath, line: UInt = #line) {
        var problems: [String] = []
        if result.status != 2 { problems.append("exit status \(result.status), expected 2") }
        if !result.output.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            problems.append("wrote to standard output:\n\(result.output.prefix(2_000))")
        }
        let lines = result.error.split(separator: "\n", omittingEmptySubsequences: true)
        if lines.last != "1 error" { problems.append("expected exactly one error (a last line `1 error`)") }
        let found = lines.indices.contains { index in
            guard lines[index].hasPrefix(prefix) else { return false }
            let message = lines[index...].joined(separator: "\n").dropFirst(prefix.count)
            return Self.matches(message, fragment)
        }
        if !found { problems.append("no error line starting with\n    \(prefix)\(fragment)") }
        if let runs { problems += leftovers(in: runs) }
        if !problems.isEmpty {
            XCTFail("\(name): " + problems.joined(separator: "; ") + "\n  standard error:\n\(result.error.prefix(4_000))",
                    file: file, line: line)
        }
    }

    /// The message starts with the fragment's first piece and holds the others in order.
    private static func matches(_ message: Substring, _ fragment: String) -> Bool {
        let pieces = fragment.components(separatedBy: " … ")
        guard let first = pieces.first, message.hasPrefix(first) else { return false }
        var rest = message.dropFirst(first.count)
        for piece in pieces.dropFirst() {
            guard let range = rest.range(of: piece) else { return false }
            rest = rest[range.upperBound...]
        }
        return true
    }

    /// Whatever a failed run left in its runs folder: nothing is allowed, not even an empty run folder.
    private func leftovers(in runs: URL) -> [String] {
        let manager = FileManager.default
        guard manager.fileExists(atPath: runs.path) else { return [] }
        guard let contents = try? manager.subpathsOfDirectory(atPath: runs.path) else {
            return ["cannot list \(runs.path)"]
        }
        return contents.isEmpty ? [] : ["left \(contents.sorted().prefix(10).joined(separator: ", ")) in the runs folder"]
    }

    private func write(_ text: String, _ name: String) throws -> String {
        let url = directory.appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    /// A safetensors file with one zero-filled F32 tensor.
    private func safetensors(key: String, shape: [Int], to url: URL) throws {
        let count = shape.reduce(1, *)
        let header = try JSONSerialization.data(withJSONObject: [
            key: ["dtype": "F32", "shape": shape, "data_offsets": [0, 4 * count]] as [String: Any],
        ])
        var file = Data()
        withUnsafeBytes(of: UInt64(header.count).littleEndian) { file.append(contentsOf: $0) }
        file.append(header)
        file.append(Data(count: 4 * count))
        try file.write(to: url)
    }
}
