// Summary: `runner summary CONFIG` — fastai's summary table for the model as a stage starts it.

import ArgumentParser
import Experiments
import Foundation
import Layers
import Training

struct Summary: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print each layer's output shape, parameters, trainability and group, with per-group totals,"
            + " for the model as it stands when a stage starts.")

    @OptionGroup var options: ConfigOptions
    @Option(help: "The stage whose freezing to show (default: the first).") var stage: String?
    @Option(help: "Class count when the config does not fix it (model.classes or a generated dataset).")
    var classes: Int?
    @Option(help: "Which sweep job to show, by id (default: the first).") var job: String?
    @Flag(help: "JSON instead of the table.") var json = false

    func run() throws {
        let loaded = try options.load(checkFiles: false)
        guard let chosen = job.map({ id in loaded.jobs.first { $0.id == id } }) ?? loaded.jobs.first else {
            throw ValidationError("no job `\(job ?? "")`; jobs: \(loaded.jobs.map(\.id).joined(separator: ", "))")
        }
        let config = chosen.config
        let facts = TransferFacts(requireFiles: false) { [classes] _ in classes ?? 2 }
        let counted: Int?
        do {
            counted = try classes ?? facts.classCount(config)
        } catch {
            throw ValidationError("the class count comes from the data, which cannot be read (\(error));"
                                  + " set model.classes or pass --classes")
        }
        guard let classCount = counted else {
            throw ValidationError("the class count comes from the data; set model.classes or pass --classes")
        }
        let errors = ModelCheck.errors(in: loaded, facts: facts, checkWeights: false)
        guard errors.isEmpty else { throw reported(errors) }
        guard let stageConfig = stage.map({ name in config.schedule.first { $0.name == name } }) ?? config.schedule.first
        else {
            throw ValidationError("no stage `\(stage ?? "")`; stages: \(config.schedule.map(\.name).joined(separator: ", "))")
        }
        do {
            let model = try facts.model(config, classes: classCount)
            try ModelFactory.prepare(model, for: stageConfig)
            let summary = ModelSummary.make(model, size: config.data.size)
            if json {
                let data = try JSONSerialization.data(withJSONObject: summary.jsonObject, options: [.sortedKeys])
                print(String(decoding: data, as: UTF8.self))
            } else {
                print("\(config.name) — \(config.model.arch.rawValue), \(classCount) classes, stage `\(stageConfig.name)`"
                      + " (freeze_to \(stageConfig.freezeTo)), \(config.data.size) px, preset \(config.preset.rawValue)")
                print(summary.text)
            }
        } catch {
            throw failed(error)
        }
    }
}
