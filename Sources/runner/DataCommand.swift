// DataCommand: `runner data …` — dataset utilities; `generate` writes the procedurally drawn dataset as JPEG files.

import ArgumentParser
import Datasets

struct DataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data",
        abstract: "Dataset utilities.",
        subcommands: [DataGenerate.self])
}

struct DataGenerate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Draw the generated dataset and write it as Pets-style JPEG files (<class>_<n>.jpg).")

    @Option(help: "source (a task to pretrain on) or target (new combinations of the same primitives).")
    var variant = "source"
    @Option(help: "Number of classes.") var classes = 10
    @Option(help: "Images per class.") var perClass = 60
    @Option(help: "Width and height in pixels.") var size = 64
    @Option(help: "Random seed; the same seed writes the same files.") var seed: UInt64 = 0
    @Option(help: "Output folder (default data/generated/<variant>).") var out: String?

    func validate() throws {
        guard GeneratedDataset.Variant(rawValue: variant) != nil else {
            throw ValidationError("--variant must be source or target, not `\(variant)`")
        }
    }

    func run() throws {
        let chosen = GeneratedDataset.Variant(rawValue: variant) ?? .source
        let folder = out ?? "data/generated/\(chosen.rawValue)"
        let paths = try GeneratedDataset.write(variant: chosen, classes: classes, imagesPerClass: perClass,
                                               size: size, seed: seed, to: folder)
        print("wrote \(paths.count) images of \(classes) classes to \(folder)")
    }
}
