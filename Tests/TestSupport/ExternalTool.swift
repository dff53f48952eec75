// ExternalTool: running a program a test compares Runner with (Python with tensorboard or mlflow, Slurm's commands), and skipping loudly without it.

import Foundation
import XCTest

public enum ExternalTool {
    /// The repository, from this file's place in it.
    public static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// Runs `executable` to the end; standard output and error together.
    public static func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        // Read before waiting, so a chatty child cannot block on a full pipe.
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, output)
    }

    /// The repository's `.venv/bin/python3`, else the system's, that imports `module`; or a skip
    /// that says what is missing and how to get it.
    public static func python(importing module: String, test: String) throws -> String {
        for python in [repository.appendingPathComponent(".venv/bin/python3").path, "/usr/bin/python3"]
        where FileManager.default.isExecutableFile(atPath: python) {
            if (try? run(python, ["-c", "import \(module)"]))?.status == 0 { return python }
        }
        throw skip(test, "\(module) is not importable (bash scripts/dev-tools.sh \(module) installs it into .venv)")
    }

    /// Runs a Python script given as text.
    public static func python(_ python: String, script: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("runner-test-\(UUID().uuidString).py")
        try script.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        return try run(python, [file.path] + arguments)
    }

    /// An XCTSkip, printed loudly first so a skipped comparison is seen in the log.
    public static func skip(_ test: String, _ reason: String) -> XCTSkip {
        let message = "SKIPPED \(test): \(reason)"
        print(String(repeating: "!", count: 20) + " " + message)
        return XCTSkip(message)
    }
}
