// LRFind: `runner lr-find CONFIG [--stage NAME]` — fastai's learning-rate range test, charted in the terminal and saved as SVG beside the runs.

import ArgumentParser
import Diagnostics
import Experiments
import Foundation
import Optimizers
import Training

struct LRFind: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lr-find",
        abstract: "Sweep the learning rate exponentially over training batches of a throwaway model frozen as a"
            + " stage says, stop when the loss diverges, chart the smoothed loss and suggest rates; writes"
            + " lr_find.svg and lr_find.json into a directory under runs/.")

    @OptionGroup var options: ConfigOptions
    @Option(help: "The stage whose freezing the sweep uses (default: the first).") var stage: String?
    @Option(help: "Batches in the sweep (across epochs when the data is smaller).") var batches = 100
    @Option(help: "The first learning rate.") var start = 1e-7
    @Option(help: "The rate the sweep heads for (fastai stops one step short of it).") var end = 10.0
    @Flag(help: "Keep the stage's rate ratios between layer groups instead of one rate for all, as fastai does.")
    var stageRatios = false
    @Option(help: "Where the lr-find directory goes, and whose .cache holds the stages before this one.")
    var runs = "runs"
    @Flag(help: "Sweep from the initial weights, not from the earlier stages' (or the pretrain stage's) cached output.")
    var fromInit = false
    @Option(help: "Threads (default: train.threads, else all cores).") var threads: Int?
    @Option(help: "tty: a bar redrawn in place; plain: lines without control characters; auto: tty on a terminal.")
    var progress = ProgressChoice.auto

    func validate() throws {
        guard !runs.isEmpty else { throw ValidationError("--runs needs a folder, e.g. --runs runs") }
    }

    func run() throws {
        let loaded = try options.load(checkFiles: true)
        let finder = LRFinder(start: start, end: end, iterations: batches)
        let sweep: LRFindRun
        do {
            sweep = try LRFindRun(loaded: loaded, stage: stage, finder: finder,
                                  threads: threads ?? loaded.config.train.threads ?? ExperimentRunner.defaultThreads)
        } catch {
            FileHandle.standardError.write(Data("error: \(TerminalText.message("\(error)"))\n".utf8))
            throw ExitCode(2)
        }
        do {
            try ModelCheck.check(loaded, facts: sweep.facts)
        } catch let errors as ConfigErrors {
            throw reported(errors.errors)
        } catch {
            throw failed(error)
        }
        sweep.keepStageRatios = stageRatios
        sweep.runsRoot = runs
        sweep.fromInitialWeights = fromInit
        let reporter = ProgressReporter(mode: progress.mode)
        reporter.begin(batchSize: loaded.config.data.batchSize)
        sweep.onBatch = { iteration, rate, loss in
            reporter.advance(String(format: "lr %.2e", rate), done: iteration + 1, of: batches, loss: loss)
        }
        do {
            let result = try sweep.run()
            reporter.finish()
            let directory = try sweep.write(result, root: runs)
            print(sweep.report(result))
            print("wrote \(directory.appendingPathComponent("lr_find.svg").path) and lr_find.json")
        } catch {
            reporter.finish()
            throw failed(error)
        }
    }
}
