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
            print(pad("\(entry.name)/\(entry.id)", 44) + pad(String(entry.jobs), 6, right: true) + "  "
                  + (entry.lrFind ? "lr-find" : entry.finished ? "finished" : "unfinished"))
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
            let rows = try RunCatalog.table(entry)
            let metrics = ["valid_loss", "accuracy", "error_rate"]
            print("\(entry.name)/\(entry.id)")
            print(pad("job", 24) + pad("swept", 28) + metrics.map { pad($0, 12, right: true) }.joined())
            for row in rows {
                print(pad(row.job, 24) + pad(row.overrides.joined(separator: " "), 28)
                      + metrics.map { pad(row.metrics[$0].map { String(format: "%.4f", $0) } ?? "-", 12, right: true) }
                        .joined())
            }
        } catch {
            throw failed(error)
        }
    }
}
