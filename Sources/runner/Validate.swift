// Validate: `runner validate CONFIG` — every check, including those that need the architecture, no training.

import ArgumentParser
import Experiments
import Training

struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check an experiment file: keys, types, values, files, and the cut, split, freeze_to and"
            + " weights against the architecture. Exits 0, or 2 with every error.")

    @OptionGroup var options: ConfigOptions

    func run() throws {
        let loaded = try options.load(checkFiles: true)
        do {
            try ModelCheck.check(loaded, facts: TransferFacts())
        } catch let errors as ConfigErrors {
            throw reported(errors.errors)
        }
        for note in ModelCheck.pendingDownloads(loaded) { print("note: \(note) (validate downloads nothing)") }
        print("\(options.config): ok — \(loaded.jobs.count) job\(loaded.jobs.count == 1 ? "" : "s"),"
              + " \(loaded.config.schedule.count) stage\(loaded.config.schedule.count == 1 ? "" : "s")")
    }
}
