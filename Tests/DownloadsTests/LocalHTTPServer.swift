// LocalHTTPServer: runs Fixtures/serve.py on 127.0.0.1 for one test and reads back the requests it logged.

import Foundation
import XCTest

final class LocalHTTPServer {
    struct Request: Equatable {
        var path: String
        var range: String?
    }

    /// Files placed here are served at `url(name)`.
    let folder: String
    let port: Int
    private let logPath: String
    private let process: Process

    /// Skips the test (loudly) when python3 is not on PATH: without it there is no server to download from.
    init(scratch: String) throws {
        guard let python = Self.findExecutable("python3") else {
            let message = "python3 not found on PATH: DownloadsTests need it to run their local HTTP server"
                + " (Tests/DownloadsTests/Fixtures/serve.py); install python3 to run them"
            FileHandle.standardError.write(Data("warning: SKIPPING \(message)\n".utf8))
            throw XCTSkip(message)
        }
        folder = scratch + "/served"
        logPath = scratch + "/requests.log"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/serve.py")
        process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [script.path, folder, logPath]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        // The first line is the port; reading byte by byte stops at EOF if the server dies first.
        var line = [UInt8]()
        var byte: UInt8 = 0
        while read(output.fileHandleForReading.fileDescriptor, &byte, 1) == 1, byte != 0x0A { line.append(byte) }
        guard let port = Int(String(decoding: line, as: UTF8.self)) else {
            process.terminate()
            throw XCTSkip("Fixtures/serve.py did not start (it printed `\(String(decoding: line, as: UTF8.self))`)")
        }
        self.port = port
    }

    func url(_ path: String) -> String { "http://127.0.0.1:\(port)/\(path)" }

    /// Writes `bytes` as a served file and returns its path.
    @discardableResult
    func serve(_ name: String, _ bytes: Data) throws -> String {
        let path = folder + "/" + name
        try bytes.write(to: URL(fileURLWithPath: path))
        return path
    }

    /// Every request so far, in order.
    func requests() -> [Request] {
        guard let text = try? String(contentsOfFile: logPath, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { line in
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let path = object["path"] as? String else { return nil }
            return Request(path: path, range: object["range"] as? String)
        }
    }

    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
    }

    private static func findExecutable(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}
