// Report: `runner report RUN` — writes the run's report.html again (interpreting each job first unless told not to).

import ArgumentParser
import Foundation
import Training

struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write <run>/report.html: loss curves, lr and momentum schedules, trainable counts per stage,"
            + " interpretation, the sweep's comparison and the job graph, in one self-contained file.")

    @Argument(help: ArgumentHelp("A run: its directory, name/id, or name (its latest run).", valueName: "run"))
    var target: String
    @Flag(help: "Use the jobs' interpretation.json as they are; do not run the models over the validation set.")
    var noInterpret = false
    @Option(help: "How many of the highest losses to show per job.") var topLosses = 9
    @Option(help: "Where run directories are.") var runs = "runs"

    func run() throws {
        do {
            let entry = try RunCatalog.find(target, root: runs)
            let run = URL(fileURLWithPath: entry.path)
            if !noInterpret { try ReportWriter.interpretJobs(run: run) }
            print("wrote \(try RunReport.write(run: run, topLosses: topLosses).path)")
        } catch {
            throw failed(error)
        }
    }
}
