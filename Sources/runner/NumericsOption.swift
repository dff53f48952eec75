// NumericsOption: `--numerics reproducible|fast`, shared by the commands that train.

import ArgumentParser
import Tensors

extension Numerics.Mode: ExpressibleByArgument {}

/// The process has already started itself again with RUNNER_NUMERICS (and OpenBLAS's kernels) set
/// from this flag (Runner.main), so `Numerics.mode` holds it when parsing ends; the option is
/// declared for its help and its check of the value.
struct NumericsOption: ParsableArguments {
    @Option(help: ArgumentHelp(
        "reproducible: the same metrics and weights for any --threads on any AVX2 processor (the default); "
            + "fast: reductions split by thread and OpenBLAS's kernels for this processor.",
        valueName: "mode"))
    var numerics: Numerics.Mode?

    func validate() throws {
        if let numerics, numerics != Numerics.mode {
            throw ValidationError("--numerics \(numerics.rawValue) conflicts with \(Numerics.environmentVariable)="
                                  + "\(Numerics.mode.rawValue) in the environment; drop one of them")
        }
    }
}
