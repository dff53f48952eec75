// Run: `runner run CONFIG` — train every job of an experiment file and log it under runs/.

import ArgumentParser
import Experiments
import Foundation
import Training

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train every job of an experiment file, stage by stage, and write the run directory under runs/.",
        discussion: """
            Ctrl-C stops at the next batch boundary and writes a checkpoint; the same command with --resume \
            continues the run and finishes it exactly as an uninterrupted one would.
            """)

    @OptionGroup var options: ConfigOptions
    @Option(help: "Where run directories go.") var runs = "runs"
    @Option(help: "Threads (default: train.threads, else all cores).") var threads: Int?
    @OptionGroup var numerics: NumericsOption
    @Flag(help: "Print nothing but errors.") var quiet = false
    @Option(help: "tty: a bar redrawn in place; plain: lines without control characters; auto: tty on a terminal.")
    var progress = ProgressChoice.auto
    @Flag(help: "Recompute every stage instead of reusing finished ones from runs/.cache.") var force = false
    @Flag(help: "Continue the latest unfinished run of this config (same resolved config) from its checkpoints.")
    var resume = false
    @Option(help: "Seconds between checkpoints within a stage; 0 writes one after every batch.")
    var checkpointInterval: Double = 60

    func validate() throws {
        guard checkpointInterval >= 0 else { throw ValidationError("--checkpoint-interval must be 0 or more seconds") }
        // An empty folder would put runs (and their .cache) straight into the working directory.
        guard !runs.isEmpty else { throw ValidationError("--runs needs a folder, e.g. --runs runs") }
    }

    func run() throws {
        let loaded = try options.load(checkFiles: true)
        let runner = ExperimentRunner(loaded: loaded, runsRoot: runs,
                                      threads: threads ?? loaded.config.train.threads ?? ExperimentRunner.defaultThreads)
        runner.progress = ProgressReporter(mode: quiet ? .quiet : progress.mode)
        runner.force = force
        runner.resume = resume
        runner.checkpointInterval = checkpointInterval
        Interruption.shared.install { notice in FileHandle.standardError.write(Data((notice + "\n").utf8)) }
        runner.interruptRequested = { Interruption.shared.requested }
        do {
            let directory = try runner.run()
            if !quiet { print("done: \(directory.path)") }
        } catch let errors as ConfigErrors {
            throw reported(errors.errors)
        } catch let stopped as RunStopped where stopped.interrupted {
            FileHandle.standardError.write(Data("\(stopped)\n".utf8))
            throw ExitCode(130)
        } catch {
            throw failed(error)
        }
    }
}
