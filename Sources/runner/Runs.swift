// Runs: `runner runs` — every run under the runs folder, finished or not.

import ArgumentParser
import Diagnostics
import Foundation
import Training

struct Runs: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List the runs under runs/.")

    @Option(help: "The runs folder.") var root = "runs"

    func run() throws {
        let entries = RunCatalog.list(root: root)
        guard !entries.isEmpty else {
            print("no runs under \(root)/")
            return
        }
        print(pad("run", 44) + pad("jobs", 6, right: true) + "  state")
        for entry in entries {
            let state = entry.lrFind ? "lr-find" : entry.finished ? "finished"
                : RunLock.isHeld(directory: URL(fileURLWithPath: entry.path)) ? "running"
                : entry.failure.map { "failed: " + TerminalText.message(String($0.prefix(100))) }
                ?? (entry.submitted ? "submitted to Slurm (runner status \(entry.name)/\(entry.id))"
                    : "unfinished (resume: runner run CONFIG --resume)")
            print(pad("\(entry.name)/\(entry.id)", 44) + pad(String(entry.jobs), 6, right: true) + "  " + state)
        }
    }
}
