// Cancel: `runner cancel RUN` — cancels every Slurm job of a submitted run.

import ArgumentParser
import Foundation
import Training

struct Cancel: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Cancel the Slurm jobs of a submitted run; `runner submit --resume RUN` submits its unfinished nodes again.")

    @Argument(help: ArgumentHelp("A run: its directory, name/id, or name (its latest run).", valueName: "run")) var target: String
    @Option(help: "Where run directories are.") var runs = "runs"

    func run() throws {
        do {
            let entry = try RunCatalog.find(target, root: runs)
            let ids = try SubmissionRecord.read(run: URL(fileURLWithPath: entry.path)).ids
            let client = SlurmClient()
            let queued = Set(try client.queue(ids).map { String($0.id.prefix { $0 != "_" }) })
            try client.cancel(ids.filter(queued.contains))
            print(queued.isEmpty ? "\(entry.path): no job of the run was queued or running"
                  : "cancelled \(queued.count) Slurm job\(queued.count == 1 ? "" : "s") of \(entry.path): "
                    + ids.filter(queued.contains).joined(separator: ", "))
        } catch {
            throw failed(error)
        }
    }
}
