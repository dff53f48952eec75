// Run: `runner run CONFIG` — train every job of an experiment file and log it under runs/.

import ArgumentParser
import Experiments
import Training

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train every job of an experiment file, stage by stage, and write the run directory under runs/.")

    @OptionGroup var options: ConfigOptions
    @Option(help: "Where run directories go.") var runs = "runs"
    @Option(help: "Threads (default: train.threads, else all cores).") var threads: Int?
    @Flag(help: "Print nothing but errors.") var quiet = false
    @Option(help: "tty: a bar redrawn in place; plain: lines without control characters; auto: tty on a terminal.")
    var progress = ProgressChoice.auto
    @Flag(help: "Recompute every stage instead of reusing finished ones from runs/.cache.") var force = false

    func run() throws {
        let loaded = try options.load(checkFiles: true)
        let runner = ExperimentRunner(loaded: loaded, runsRoot: runs,
                                      threads: threads ?? loaded.config.train.threads ?? ExperimentRunner.defaultThreads)
        runner.progress = ProgressReporter(mode: quiet ? .quiet : progress.mode)
        runner.force = force
        do {
            let directory = try runner.run()
            if !quiet { print("done: \(directory.path)") }
        } catch let errors as ConfigErrors {
            throw reported(errors.errors)
        } catch {
            throw failed(error)
        }
    }
}
