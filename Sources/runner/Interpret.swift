// Interpret: `runner interpret RUN` — fastai's ClassificationInterpretation as text, and interpretation.json per job.

import ArgumentParser
import Foundation
import Training

struct Interpret: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run each trained job over its validation set: confusion matrix, most confused pairs and top losses,"
            + " and jobs/<id>/interpretation.json with every validation image's prediction.")

    @Argument(help: ArgumentHelp("A run: its directory, name/id, or name (its latest run).", valueName: "run"))
    var target: String
    @Option(help: "Only this job.") var job: String?
    @Option(help: "Pairs confused at least this often.") var minimum = 1
    @Option(help: "How many of the highest losses to list.") var topLosses = 9
    @Option(help: "Where run directories are.") var runs = "runs"

    func run() throws {
        do {
            let entry = try RunCatalog.find(target, root: runs)
            let run = URL(fileURLWithPath: entry.path)
            let jobs = try job.map { [$0] } ?? FileManager.default.contentsOfDirectory(atPath: entry.path + "/jobs").sorted()
            for id in jobs {
                let interpretation = try Interpretation.make(run: run, job: id)
                try RunStore(existing: run).writeRecord("jobs/\(id)/interpretation.json", interpretation)
                print("job \(id): accuracy \(String(format: "%.4f", interpretation.accuracy)) on"
                      + " \(interpretation.items.count) validation images (jobs/\(id)/interpretation.json)")
                interpretation.matrixLines().forEach { print("  " + $0) }
                let confused = interpretation.mostConfused(minimum: minimum)
                print("  most confused (actual → predicted, count): "
                      + (confused.isEmpty ? "none" : confused.prefix(10).map { "\($0.actual) → \($0.predicted) \($0.count)" }
                          .joined(separator: ", ")))
                print("  top losses (actual / predicted / loss / probability):")
                for item in interpretation.topLosses(topLosses) {
                    print("    \(interpretation.classes[item.actual]) / \(interpretation.classes[item.predicted]) / "
                          + String(format: "%.2f / %.2f", item.loss, item.probability) + "  \(item.path)")
                }
                print("")
            }
        } catch {
            throw failed(error)
        }
    }
}
