// BenchTrain: `runner bench train` — training images/s and peak memory, in torch_baseline.py's modes.

import ArgumentParser
import Foundation
import Layers
import Training

struct BenchTrain: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Training images/s and peak RSS (forward + cross-entropy + backward + AdamW, random data, 37"
            + " classes). Without --size/--mode: resnet18 at 64, 128 and 224 px in modes train, frozen and"
            + " frozen-nobn, each case in its own process so peak RSS is its own.")

    @Option(help: "Architecture.") var arch = "resnet18"
    @Option(help: "Image size (default: 64, 128 and 224).") var size: Int?
    @Option(help: "Batch size (default: 64 at 64 px, 32 above).") var batch: Int?
    @Option(help: "train, frozen or frozen-nobn (default: all three).") var mode: String?
    @Option(help: "Threads for OpenBLAS and the parallel-for.") var threads = 2
    @OptionGroup var numerics: NumericsOption
    @Option(help: "Seconds to time each case.") var seconds = 8.0
    @Flag(help: "One JSON object per line instead of a table.") var json = false
    @Flag(help: ArgumentHelp("Run PyTorch's baseline (torch_baseline.py) on each case right after Runner's and print"
                             + " the ratios; needs torch and torchvision importable (bash scripts/dev-tools.sh torch torchvision)."))
    var compareTorch = false
    @Option(help: "The PyTorch baseline script for --compare-torch.")
    var torchScript = "../shared/tools/torch_baseline.py"

    func run() throws {
        guard let architecture = Architecture(rawValue: arch) else {
            throw ValidationError("unknown --arch `\(arch)`")
        }
        let modes = try mode.map { name -> [TrainBenchmark.Mode] in
            guard let chosen = TrainBenchmark.Mode(rawValue: name) else {
                throw ValidationError("--mode must be train, frozen or frozen-nobn")
            }
            return [chosen]
        } ?? TrainBenchmark.Mode.allCases
        let sizes = size.map { [$0] } ?? [64, 128, 224]
        let torch = compareTorch ? try TorchBaseline(script: torchScript) : nil
        if !json {
            print(pad("arch", 13) + pad("size", 6) + pad("batch", 7) + pad("mode", 13) + pad("threads", 9)
                  + pad("img/s", 9, right: true) + pad("peak MB", 10, right: true)
                  + (torch == nil ? "" : pad("torch img/s", 13, right: true) + pad("torch MB", 10, right: true)
                      + pad("speed", 8, right: true) + pad("memory", 8, right: true)))
        }
        for size in sizes {
            for mode in modes {
                let batch = self.batch ?? (size <= 64 ? 64 : 32)
                let single = sizes.count == 1 && modes.count == 1 && torch == nil
                let result = single
                    ? try TrainBenchmark.run(arch: architecture, size: size, batch: batch, mode: mode, threads: threads,
                                             seconds: seconds)
                    : try inChildProcess(size: size, batch: batch, mode: mode)
                // Right after Runner's case, so both see the same machine (it drifts between runs).
                report(result, torch: try torch?.measure(arch: arch, size: size, batch: batch, mode: mode.rawValue,
                                                         threads: threads))
            }
        }
    }

    private func report(_ r: TrainBenchmark.Result, torch: TorchBaseline.Result?) {
        let speed = torch.map { r.imagesPerSecond / $0.imagesPerSecond }
        let memory = torch.map { r.peakRSSMegabytes / $0.peakRSSMegabytes }
        if json {
            let compared = torch.map { t in
                #", "torch_img_per_s": \#(rounded(t.imagesPerSecond)), "torch_peak_rss_mb": \#(Int(t.peakRSSMegabytes)), "#
                    + #""speed_ratio": \#(ratio(speed)), "memory_ratio": \#(ratio(memory))"#
            } ?? ""
            print(#"{"arch": "\#(r.arch)", "size": \#(r.size), "batch": \#(r.batch), "mode": "\#(r.mode.rawValue)", "threads": \#(r.threads), "img_per_s": \#(rounded(r.imagesPerSecond)), "peak_rss_mb": \#(Int(r.peakRSSMegabytes))"#
                  + compared + "}")
        } else {
            let compared = torch.map { t in
                pad(String(rounded(t.imagesPerSecond)), 13, right: true) + pad(String(Int(t.peakRSSMegabytes)), 10, right: true)
                    + pad(String(format: "%.2f×", speed ?? 0), 8, right: true)
                    + pad(String(format: "%.2f×", memory ?? 0), 8, right: true)
            } ?? ""
            print(pad(r.arch, 13) + pad(String(r.size), 6) + pad(String(r.batch), 7) + pad(r.mode.rawValue, 13)
                  + pad(String(r.threads), 9) + pad(String(rounded(r.imagesPerSecond)), 9, right: true)
                  + pad(String(Int(r.peakRSSMegabytes)), 10, right: true) + compared)
        }
    }

    /// A ratio to two decimals, as the table prints it.
    private func ratio(_ value: Double?) -> Double {
        ((value ?? 0) * 100).rounded() / 100
    }

    /// Runs one case in a fresh process of this binary, so each case's peak RSS is its own.
    private func inChildProcess(size: Int, batch: Int, mode: TrainBenchmark.Mode) throws -> TrainBenchmark.Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
        process.arguments = ["bench", "train", "--arch", arch, "--size", String(size), "--batch", String(batch),
                             "--mode", mode.rawValue, "--threads", String(threads), "--seconds", String(seconds), "--json"]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0,
              let object = try JSONSerialization.jsonObject(with: data) as? [String: Any],
              let rate = object["img_per_s"] as? Double, let rss = object["peak_rss_mb"] as? Int else {
            throw ValidationError("the \(size) px \(mode.rawValue) case failed (status \(process.terminationStatus))")
        }
        return TrainBenchmark.Result(arch: arch, size: size, batch: batch, mode: mode, threads: threads,
                                     imagesPerSecond: rate, peakRSSMegabytes: Double(rss))
    }
}
