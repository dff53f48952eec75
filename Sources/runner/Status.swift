// Status: `runner status RUN` — each node of a submitted run: pending, running, finished or failed, with log tails.

import ArgumentParser
import Foundation
import Training

struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show each Slurm node of a submitted run: pending, running (epoch and batch of its last"
            + " checkpoint), finished, failed or stopped, with the last lines of the log of those that did not finish.")

    @Argument(help: ArgumentHelp("A run: its directory, name/id, or name (its latest run).", valueName: "run")) var target: String
    @Option(help: "Where run directories are.") var runs = "runs"
    @Option(help: "Log lines shown for a failed or stopped node.") var lines = 8

    func run() throws {
        do {
            let entry = try RunCatalog.find(target, root: runs)
            let status = try RunStatus(run: URL(fileURLWithPath: entry.path), tailLines: max(0, lines))
            print(entry.path)
            status.lines().forEach { print($0) }
        } catch {
            throw failed(error)
        }
    }
}
