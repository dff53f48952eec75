// TorchBaseline: PyTorch's side of `runner bench train --compare-torch` — torch_baseline.py run as a child process.

import ArgumentParser
import Foundation

/// The Python is `RUNNER_PYTHON`, else `.venv` in the working directory (the project's, where `scripts/dev-tools.sh torch
/// torchvision` installs them), else the system's; the check that torch imports is made once, up front, so a
/// missing torch stops the benchmark before Runner's first case instead of after it.
struct TorchBaseline {
    struct Result {
        var imagesPerSecond: Double
        var peakRSSMegabytes: Double
    }

    let python: String
    let script: String

    init(script: String) throws {
        guard FileManager.default.fileExists(atPath: script) else {
            throw ValidationError("--compare-torch: no PyTorch baseline at \(script); give its path with --torch-script")
        }
        let candidates = [ProcessInfo.processInfo.environment["RUNNER_PYTHON"], ".venv/bin/python3", "/usr/bin/python3"]
            .compactMap { $0 }.filter { FileManager.default.isExecutableFile(atPath: $0) }
        guard let python = candidates.first(where: { Self.imports(python: $0) }) else {
            throw ValidationError("--compare-torch: torch and torchvision are not importable by "
                                  + (candidates.isEmpty ? "any python3" : candidates.joined(separator: " or "))
                                  + "; `bash scripts/dev-tools.sh torch torchvision` installs them into .venv")
        }
        self.python = python
        self.script = script
    }

    private static func imports(python: String) -> Bool {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["-c", "import torch, torchvision"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }

    func measure(arch: String, size: Int, batch: Int, mode: String, threads: Int) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [script, arch, String(size), String(batch), mode, String(threads)]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let line = String(decoding: data, as: UTF8.self).split(separator: "\n").last.map { Data($0.utf8) } ?? Data()
        guard process.terminationStatus == 0,
              let object = try? JSONSerialization.jsonObject(with: line) as? [String: Any],
              let rate = (object["img_per_s"] as? NSNumber)?.doubleValue,
              let rss = (object["peak_rss_mb"] as? NSNumber)?.doubleValue else {
            throw ValidationError("torch_baseline.py failed on \(arch) \(size) px \(mode) (status \(process.terminationStatus))")
        }
        return Result(imagesPerSecond: rate, peakRSSMegabytes: rss)
    }
}
