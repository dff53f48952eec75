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
        // Group structure does not depend on the class count; 2 stands in when the data decides it.
        let classes = ModelFactory.declaredClasses(loaded.config) ?? 2
        let errors = ModelCheck.errors(in: loaded, classes: classes)
        guard errors.isEmpty else { throw reported(errors) }
        print("\(options.config): ok — \(loaded.jobs.count) job\(loaded.jobs.count == 1 ? "" : "s"),"
              + " \(loaded.config.schedule.count) stage\(loaded.config.schedule.count == 1 ? "" : "s")")
    }
}
