// WeightsCommand: `runner weights …` — converting torch checkpoints, and torchvision's ImageNet weights in the cache.

import ArgumentParser
import Experiments
import Foundation
import Layers
import Training

struct WeightsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "weights",
        abstract: "Torch checkpoints and torchvision's ImageNet weights.",
        subcommands: [WeightsImport.self, WeightsFetch.self, WeightsList.self, WeightsPath.self])
}

struct WeightsImport: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Convert a torch checkpoint (.pth / .pt, zip or legacy format) to safetensors, keeping its keys.")

    @Argument(help: "The checkpoint written by torch.save.") var input: String
    @Argument(help: "The safetensors file to write.") var output: String
    @Option(help: "The top-level key that holds the state dict (e.g. model, state_dict); found by itself when omitted.")
    var key: String?
    @Option(help: "A prefix to drop from every key that has it (e.g. module.); `module.` on every key is dropped by itself.")
    var stripPrefix: String?

    func run() throws {
        do {
            let loaded = try WeightsFile.read(path: input, selection: StateDictSelection(key: key, stripPrefix: stripPrefix))
            for note in loaded.notes { print("\(input): \(note)") }
            try loaded.stateDict.write(path: output)
            let values = loaded.stateDict.tensors.values.reduce(0) { $0 + $1.count }
            print("wrote \(output): \(loaded.stateDict.tensors.count) tensors, \(values) values")
        } catch {
            throw failed(error)
        }
    }
}

/// An architecture argument with an optional `:V2`-style variant.
private func imagenetEntry(_ text: String) throws -> ImageNetWeights {
    let parts = text.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
    guard let name = parts.first, let arch = ArchitectureName(rawValue: name) else {
        throw ValidationError("unknown architecture `\(text)`; one of: "
                              + ArchitectureName.allCases.map(\.rawValue).joined(separator: ", "))
    }
    guard let entry = ImageNetWeights.find(arch, variant: parts.count > 1 ? parts[1] : nil) else {
        throw ValidationError("no ImageNet weights `\(text)`; \(arch.rawValue) has "
                              + ImageNetWeights.variants(of: arch).map { "\(arch.rawValue):\($0.variant)" }.joined(separator: ", "))
    }
    return entry
}

struct WeightsFetch: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fetch",
        abstract: "Download torchvision's ImageNet weights into the cache, verify them and convert them to safetensors.")

    @Argument(help: "Architectures, each optionally with a variant: resnet34 resnet50:V2.") var archs: [String]
    @Flag(help: "No progress bar.") var quiet = false

    func run() throws {
        let entries = try archs.map(imagenetEntry)
        do {
            for entry in entries {
                let path = try PretrainedWeights.converted(entry, quiet: quiet)
                print("\(entry.arch.rawValue):\(entry.variant) \(path)")
            }
        } catch {
            throw failed(error)
        }
    }
}

struct WeightsList: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "Every architecture's ImageNet weights, and which are in the cache.")

    func run() {
        print("cache: \(RemoteFiles.weightsFolder())")
        for entry in ImageNetWeights.all {
            let state = PretrainedWeights.cachedPath(entry).map { "cached  \($0)" } ?? "-"
            print("\(("\(entry.arch.rawValue):\(entry.variant)").padding(toLength: 18, withPad: " ", startingAt: 0))"
                  + " \(entry.fileName.padding(toLength: 30, withPad: " ", startingAt: 0)) \(state)")
        }
    }
}

struct WeightsPath: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "path",
        abstract: "Where an architecture's ImageNet weights are (or would be) in the cache, and where a copied .pth is picked up.")

    @Argument(help: "An architecture, optionally with a variant: resnet50:V2.") var arch: String

    func run() throws {
        let entry = try imagenetEntry(arch)
        if let path = PretrainedWeights.cachedPath(entry) {
            print(path)
        } else {
            print(PretrainedWeights.downloadPath(entry))
            let note = "not cached yet: `runner weights fetch \(arch)` downloads \(entry.url);"
                + " a copy of that file put at the path above is verified and used\n"
            FileHandle.standardError.write(Data(note.utf8))
        }
    }
}
