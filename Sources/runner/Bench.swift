// Bench: `runner bench …` — throughput measurements of the engine.

import ArgumentParser
import Tensors
import Training

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure the engine's speed.",
        subcommands: [BenchKernels.self, BenchData.self, BenchTrain.self])
}

struct BenchKernels: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kernels",
        abstract: "GFLOP/s of conv forward, backward-input and backward-weight on ResNet-18's shapes, beside sgemm.")

    @Option(help: "Images per batch.") var batch = 32
    @Option(help: "Image size in pixels; ResNet-18's planes scale with it.") var size = 224
    @Option(help: "Threads for OpenBLAS and the parallel-for.") var threads = 2
    @Option(help: "Timed runs per measurement (the best is kept).") var repeats = 3
    @Flag(help: "One JSON object per line instead of a table.") var json = false
    @Option(help: ArgumentHelp("Tuning: output planes from this size get one GEMM per image.", visibility: .hidden))
    var directPlane: Int?
    @Option(help: ArgumentHelp("Tuning: false keeps 3×3 stride-1 convolutions on im2col.", visibility: .hidden))
    var winograd: Bool?
    @Option(help: ArgumentHelp("Tuning: false keeps planes smaller than the kernel off the unrolled product.",
                               visibility: .hidden))
    var unrolled: Bool?

    func run() throws {
        guard batch >= 1, threads >= 1, repeats >= 1, size >= 1 else {
            throw ValidationError("--batch, --size, --threads and --repeats must be at least 1")
        }
        let context = KernelContext()
        if let directPlane { context.directPlane = directPlane }
        context.winograd = winograd
        context.unrolled = unrolled
        if !json {
            print("OpenBLAS \(BLAS.configuration), core \(BLAS.coreName), \(threads) threads, batch \(batch), \(size) px")
            print(pad("op", 22) + pad("shape", 52) + pad("GFLOP/s", 10, right: true)
                  + pad("sgemm", 10, right: true) + pad("ratio", 8, right: true))
        }
        KernelBenchmark.run(batch: batch, imageSize: size, threads: threads, repeats: repeats, context: context) { r in
            if json {
                print(#"{"op": "\#(r.op)", "shape": "\#(r.shape)", "gflops": \#(rounded(r.gflops)), "sgemm_gflops": \#(rounded(r.sgemmGflops))}"#)
            } else {
                print(pad(r.op, 22) + pad(r.shape, 52) + pad(String(rounded(r.gflops)), 10, right: true)
                      + pad(String(rounded(r.sgemmGflops)), 10, right: true)
                      + pad("\(Int((r.ratio * 100).rounded()))%", 8, right: true))
            }
        }
    }
}

func rounded(_ value: Double) -> Double {
    (value * 10).rounded() / 10
}
