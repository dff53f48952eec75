// Runs: `runner runs` and `runner compare RUN` — what has been run, and a sweep's results side by side.

import ArgumentParser
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
                : "unfinished (resume: runner run CONFIG --resume)"
            print(pad("\(entry.name)/\(entry.id)", 44) + pad(String(entry.jobs), 6, right: true) + "  " + state)
        }
    }
}

struct Compare: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print a run's sweep table: each job's swept values against its final metrics.")

    @Argument(help: "A run: its directory, name/id, or an experiment name for its latest run.") var name: String
    @Option(help: "The runs folder.") var root = "runs"

    func run() throws {
        do {
            let entry = try RunCatalog.find(name, root: root)
            print("\(entry.name)/\(entry.id)")
            RunCatalog.render(try RunCatalog.table(entry)).forEach { print($0) }
        } catch {
            throw failed(error)
        }
    }
}
