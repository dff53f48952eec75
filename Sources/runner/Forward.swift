// Forward: `runner forward` — a model on a stored batch; logits (and loss gradients) by torchvision key.

import ArgumentParser
import Layers
import Tensors

struct Forward: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run an architecture on a stored input batch and write its logits; with --grads also the"
            + " gradient of the cross-entropy loss for every parameter, by key. For parity checks and for"
            + " checking a converted checkpoint.")

    @Option(help: "Architecture: \(Architecture.allCases.map(\.rawValue).joined(separator: ", ")).")
    var arch: String
    @Option(help: "Weights (safetensors or a torch .pth, torchvision keys). Omit for seeded random initialisation.")
    var weights: String?
    @Option(help: "Put a fastai head on the cut body: fastai1, fastai2 or fastai07. Omit for the plain network.")
    var headPreset: String?
    @Option(help: "Output classes (the head's, or the plain network's classifier).") var classes = 1000
    @Option(help: "Input batch: a safetensors file whose tensor `input` (or only tensor) is (N, 3, H, W).")
    var input: String
    @Option(help: "Where to write `logits` (and `loss`, `grad_input`, `grad.<key>`).") var output: String
    @Option(help: "Class indices (tensor `target`, N values) for the loss.") var target: String?
    @Flag(help: "Also write the loss gradient of every parameter (needs --target).") var grads = false
    @Flag(help: "Training mode (batch statistics in BatchNorm, dropout on) instead of evaluation mode.")
    var train = false
    @Option(help: "Seed for the initialisation.") var seed: UInt64 = 0

    func validate() throws {
        guard Architecture(rawValue: arch) != nil else {
            throw ValidationError("unknown --arch `\(arch)`; one of: \(Architecture.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard headPreset == nil || FastaiVersion(rawValue: headPreset ?? "") != nil else {
            throw ValidationError("--head-preset must be fastai1, fastai2 or fastai07")
        }
        guard classes >= 1 else { throw ValidationError("--classes must be at least 1") }
        guard !grads || target != nil else { throw ValidationError("--grads needs --target") }
    }

    func run() throws {
        guard let architecture = Architecture(rawValue: arch) else { return }
        var rng = RandomGenerator(seed: seed, purpose: "init")
        do {
            let model: any Module
            if let preset = headPreset.flatMap(FastaiVersion.init(rawValue:)) {
                let transfer = try TransferModel.build(TransferSpec(architecture: architecture, classes: classes,
                                                                    version: preset), rng: &rng)
                if let weights { try transfer.loadPretrained(try WeightsFile.read(path: weights).stateDict, path: weights) }
                model = transfer
            } else {
                let network = architecture.build(numClasses: classes, rng: &rng)
                if let weights { try network.loadStateDict(try WeightsFile.read(path: weights).stateDict, path: weights) }
                model = network
            }
            try ForwardRun.run(model, options: ForwardRun.Options(inputPath: input, outputPath: output,
                                                                  targetPath: target, gradients: grads, training: train))
        } catch {
            throw failed(error)
        }
    }
}
