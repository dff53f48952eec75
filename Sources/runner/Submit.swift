// Submit: `runner submit CONFIG` — the run directory and plan as `runner run` makes them, then the job graph as Slurm jobs.

import ArgumentParser
import Experiments
import Foundation
import Training

struct Submit: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Submit an experiment to Slurm: one job per cache, pretrain and stage node, with afterok"
            + " dependencies from the job graph.",
        discussion: """
            The run directory must be on a file system the cluster's nodes share. Flags override the \
            experiment file's `cluster:` section. --cpus-per-task is also the thread count every node \
            trains with, so a local `runner run --threads N` gives byte-identical metrics.jsonl. \
            With --resume RUN, the nodes of RUN that did not finish are submitted again.
            """)

    @Argument(help: "The experiment file (YAML); not with --resume.") var config: String?
    @Option(name: .customLong("set"), help: ArgumentHelp("Override a key: --set schedule.1.epochs=3 (repeatable).",
                                                         valueName: "key.path=value"))
    var overrides: [String] = []
    @Option(help: "Slurm partition.") var partition: String?
    @Option(help: "Slurm account.") var account: String?
    @Option(help: "Time limit per node, in Slurm's format (e.g. 2:00:00).") var time: String?
    @Option(help: "CPUs per node, and so the threads it trains with (default: cluster.cpus_per_task, train.threads, 1).")
    var cpusPerTask: Int?
    @Option(help: "Memory per node, in Slurm's format (e.g. 16G).") var mem: String?
    @OptionGroup var numerics: NumericsOption
    @Flag(help: "Print the sbatch scripts and the dependency graph; create and submit nothing.") var dryRun = false
    @Option(help: "Submit again the unfinished nodes of this run (a directory, name/id, or name).") var resume: String?
    @Option(help: "Where run directories go.") var runs = "runs"
    @Option(help: "Class count for --dry-run when the data is not there yet.") var classes: Int?

    func validate() throws {
        guard (config == nil) != (resume == nil) else {
            throw ValidationError(resume == nil ? "give the experiment file, or --resume RUN" : "--resume RUN takes no experiment file")
        }
        guard resume == nil || (overrides.isEmpty && !dryRun) else {
            throw ValidationError("--resume submits the run's own config again: no --set or --dry-run")
        }
        if let time, !ClusterConfig.isTime(time) {
            throw ValidationError("--time \(time): expected minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM or D-HH:MM:SS")
        }
        if let mem, !ClusterConfig.isMemory(mem) { throw ValidationError("--mem \(mem): expected e.g. 16G or 16000") }
        if let cpusPerTask, cpusPerTask < 1 { throw ValidationError("--cpus-per-task must be 1 or more") }
        for (flag, value) in [("--partition", partition), ("--account", account)] {
            if let value, value.isEmpty || value.contains(where: \.isWhitespace) {
                throw ValidationError("\(flag) needs a Slurm name without spaces")
            }
        }
    }

    func run() throws {
        let flags = ClusterConfig(partition: partition, account: account, time: time, cpusPerTask: cpusPerTask, mem: mem)
        do {
            if let resume {
                let entry = try RunCatalog.find(resume, root: runs)
                let run = URL(fileURLWithPath: entry.path).standardizedFileURL
                let loaded = try ConfigLoader.load(path: run.appendingPathComponent("resolved.yaml").path)
                try submission(loaded, flags: flags).resume(run)
                return
            }
            let loaded = try ConfigLoader.load(path: config ?? "", overrides: overrides,
                                               options: .init(checkFiles: !dryRun))
            let submission = try submission(loaded, flags: flags)
            if dryRun {
                try submission.dryRun(classes: classes).forEach { print($0) }
            } else {
                print("done: \(try submission.submit().path)")
            }
        } catch let errors as ConfigErrors {
            throw reported(errors.errors)
        } catch let code as ExitCode {
            throw code
        } catch {
            throw failed(error)
        }
    }

    private func submission(_ loaded: LoadedConfig, flags: ClusterConfig) throws -> Submission {
        // Absolute, so the jobs find the run wherever Slurm starts them.
        let root = URL(fileURLWithPath: runs).standardizedFileURL.path
        return Submission(loaded: loaded, runsRoot: root, settings: ClusterSettings(config: loaded.config, flags: flags),
                          runner: try Self.executable())
    }

    /// This binary's absolute path: the jobs run the same build.
    static func executable() throws -> String {
        try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
    }
}
