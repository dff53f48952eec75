// Compare: `runner compare RUN` — a sweep's jobs side by side: swept values against final metrics.

import ArgumentParser
import Foundation
import Training

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
