// Plan: `runner plan CONFIG` — the job graph, what is shared, and each stage's groups, without training.

import ArgumentParser
import Experiments
import Foundation
import Training

struct Plan: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the job graph: every node, which jobs share it, and for every stage its layer groups"
            + " with parameter counts, trainable counts and learning rates. Nothing is trained.")

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, json, dot
    }

    @OptionGroup var options: ConfigOptions
    @Option(help: "text, json or dot.") var format = Format.text
    @Option(help: "Class count when neither the config nor the data gives it.") var classes: Int?

    func run() throws {
        let loaded = try options.load(checkFiles: false)
        // Planned from the config where files are missing; with them in place, the same node ids `run` uses.
        let facts = TransferFacts(requireFiles: false) { _ in
            guard let classes else {
                throw ValidationError("the class count comes from the data; set model.classes or pass --classes")
            }
            return classes
        }
        let errors = ModelCheck.errors(in: loaded, facts: facts, checkWeights: false)
        guard errors.isEmpty else { throw reported(errors) }
        let graph: JobGraph
        do {
            graph = try Planner.plan(loaded, facts: facts)
        } catch {
            throw failed(error)
        }
        switch format {
        case .text: print(PlanRenderer.text(graph))
        case .json:
            let data = try JSONSerialization.data(withJSONObject: PlanRenderer.jsonObject(graph),
                                                  options: [.sortedKeys, .prettyPrinted])
            print(String(decoding: data, as: UTF8.self))
        case .dot: print(PlanRenderer.dot(graph))
        }
    }
}
