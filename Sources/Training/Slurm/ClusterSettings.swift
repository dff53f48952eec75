// ClusterSettings: what each `sbatch` of a submission asks for — the `cluster` section, `runner submit`'s flags over it, and the defaults.

import Experiments

public struct ClusterSettings: Equatable, Sendable {
    public var partition: String?
    public var account: String?
    public var time: String?
    /// Also the thread count every node trains with (part of each stage's identity).
    public var cpusPerTask: Int
    public var mem: String?
    public var extra: [String]

    /// Slurm's own default is one CPU; `train.threads`, when written, is the count the config was made for.
    public static func defaultCPUs(_ config: ExperimentConfig) -> Int { config.train.threads ?? 1 }

    /// `flags` win over `config.cluster`, which wins over the defaults.
    public init(config: ExperimentConfig, flags: ClusterConfig = ClusterConfig()) {
        let file = config.cluster ?? ClusterConfig()
        partition = flags.partition ?? file.partition
        account = flags.account ?? file.account
        time = flags.time ?? file.time
        cpusPerTask = flags.cpusPerTask ?? file.cpusPerTask ?? Self.defaultCPUs(config)
        mem = flags.mem ?? file.mem
        extra = file.extra + flags.extra
    }

    /// The `#SBATCH` options every job of the submission shares, in a fixed order.
    var options: [String] {
        var options = ["--ntasks=1", "--cpus-per-task=\(cpusPerTask)"]
        if let partition { options.append("--partition=\(partition)") }
        if let account { options.append("--account=\(account)") }
        if let time { options.append("--time=\(time)") }
        if let mem { options.append("--mem=\(mem)") }
        return options + extra
    }
}
