// Runner: the command-line entry point; each subcommand calls into the libraries.

import ArgumentParser
import Foundation
import Tensors

@main
struct Runner: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runner",
        abstract: "Declarative, reproducible transfer-learning experiments for image classifiers.",
        subcommands: [Run.self, Submit.self, Exec.self, Status.self, Cancel.self, Predict.self, Interpret.self, Report.self, Export.self, LRFind.self, Runs.self, Compare.self, Validate.self, Plan.self, Summary.self, Forward.self, WeightsCommand.self, DataCommand.self, Bench.self])

    static func main() {
        relaunchWithQuickOpenBLASSleep()
        MemoryPolicy.retainFreedMemory()
        // Progress lines must reach a pipe or a CI log as they happen, not when the buffer fills.
        setvbuf(stdout, nil, _IOLBF, 0)
        main(nil)
    }
}

/// OpenBLAS's idle workers spin (sched_yield) for about 2^28 cycles after each GEMM, taking a core
/// from the parallel-for that runs BatchNorm, pooling and im2col between GEMMs. Its thread timeout
/// is read once, from the environment, when the library loads — before any of our code — so the
/// process starts itself again with it set. Measured with `runner bench train`, alternating:
/// resnet18 64 px frozen 144–161 → 168–179 img/s, 128 px train 31.1 → 35.0. An explicit setting
/// is left alone.
private func relaunchWithQuickOpenBLASSleep() {
    let name = "OPENBLAS_THREAD_TIMEOUT"
    guard getenv(name) == nil, setenv(name, "4", 1) == 0 else { return }
    // On failure execv returns and this process simply runs with the default.
    execv("/proc/self/exe", CommandLine.unsafeArgv)
}
