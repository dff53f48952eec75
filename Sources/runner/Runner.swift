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
        relaunchWithOpenBLASSettings()
        MemoryPolicy.retainFreedMemory()
        // Progress lines must reach a pipe or a CI log as they happen, not when the buffer fills.
        setvbuf(stdout, nil, _IOLBF, 0)
        main(nil)
    }
}

/// OpenBLAS reads its settings from the environment once, when the library loads — before any of
/// our code — so the process sets what it needs and starts itself again. A value already set is
/// left alone: on some processors the environment sets OPENBLAS_CORETYPE (and OPENBLAS_L2_SIZE)
/// because other kernels compute wrong results there.
/// - OPENBLAS_THREAD_TIMEOUT=4: idle workers otherwise spin (sched_yield) for about 2^28 cycles
///   after each GEMM, taking a core from the parallel-for that runs BatchNorm, pooling and im2col
///   between GEMMs. Measured with `runner bench train`, alternating: resnet18 64 px frozen
///   144–161 → 168–179 img/s, 128 px train 31.1 → 35.0.
/// - OPENBLAS_CORETYPE=Haswell under reproducible numerics (see `Numerics`), on processors with
///   AVX2; RUNNER_NUMERICS carries `--numerics` into the new process.
private func relaunchWithOpenBLASSettings() {
    var changed = false
    func set(_ name: String, _ value: String) {
        guard getenv(name) == nil, setenv(name, value, 1) == 0 else { return }
        changed = true
    }
    set("OPENBLAS_THREAD_TIMEOUT", "4")
    let arguments = CommandLine.arguments
    if let flag = arguments.firstIndex(of: "--numerics"), flag + 1 < arguments.count {
        set(Numerics.environmentVariable, arguments[flag + 1])
    } else if let flag = arguments.first(where: { $0.hasPrefix("--numerics=") }) {
        set(Numerics.environmentVariable, String(flag.dropFirst("--numerics=".count)))
    }
    let fast = getenv(Numerics.environmentVariable).map { String(cString: $0) } == Numerics.Mode.fast.rawValue
    if !fast, Numerics.processorHasAVX2 { set("OPENBLAS_CORETYPE", Numerics.pinnedCoreType) }
    guard changed else { return }
    // On failure execv returns and this process simply runs with the defaults.
    execv("/proc/self/exe", CommandLine.unsafeArgv)
}
