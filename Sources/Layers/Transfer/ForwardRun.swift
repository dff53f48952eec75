// ForwardRun: runs a model on a stored batch and writes its logits (and loss gradients) by key.

import Foundation
import Tensors

/// The engine behind `runner forward`: what parity tests and users checking a converted
/// checkpoint need — the same batch through Runner's model, compared with another framework's.
public enum ForwardRun {
    public struct Options {
        public var inputPath: String
        public var outputPath: String
        public var targetPath: String?
        public var gradients: Bool
        public var training: Bool

        public init(inputPath: String, outputPath: String, targetPath: String? = nil, gradients: Bool = false,
                    training: Bool = false) {
            self.inputPath = inputPath
            self.outputPath = outputPath
            self.targetPath = targetPath
            self.gradients = gradients
            self.training = training
        }
    }

    /// Writes `logits`, and with a target `loss`; with `gradients` also `grad_input` and
    /// `grad.<key>` for every parameter.
    public static func run(_ model: any Module, options: Options) throws {
        let input = try onlyTensor(in: options.inputPath, preferring: "input")
        guard input.rank == 4, input.shape[1] == 3 else {
            throw WeightsError.badTensor(path: options.inputPath, key: "input",
                                         reason: "expected an image batch (N, 3, H, W), found \(input.shape)")
        }
        do {
            _ = try model.plane(after: PlaneSize(height: input.shape[2], width: input.shape[3]))
        } catch {
            throw WeightsError.badTensor(path: options.inputPath, key: "input",
                                         reason: "a \(input.shape[2])×\(input.shape[3]) image is too small for this network: \(error)")
        }
        // BatchNorm in training mode needs two values per channel, which one image on a 1×1 plane lacks.
        if options.training, input.shape[0] < 2 {
            throw WeightsError.badTensor(path: options.inputPath, key: "input",
                                         reason: "training mode needs a batch of at least 2 images (BatchNorm), found \(input.shape[0])")
        }
        model.train(options.training)
        let logits = model.forward(input)
        var output = SafeTensors(tensors: ["logits": logits])
        if let targetPath = options.targetPath {
            let target = try onlyTensor(in: targetPath, preferring: "target")
            let classes = logits.shape[1]
            let labels = target.data.map { Int($0) }
            guard labels.count == input.shape[0], labels.allSatisfy({ $0 >= 0 && $0 < classes }) else {
                throw WeightsError.badTensor(path: targetPath, key: "target",
                                             reason: "expected \(input.shape[0]) class indices in 0..<\(classes)")
            }
            let loss = CrossEntropyLoss()
            output.tensors["loss"] = Tensor(shape: [], data: [loss.forward(logits, targets: labels)])
            if options.gradients {
                model.zeroGradients()
                if let gradInput = model.backward(loss.backward(), needsInputGradient: true) {
                    output.tensors["grad_input"] = gradInput
                }
                for (key, parameter) in model.namedParameters() {
                    output.tensors["grad." + key] = parameter.gradient ?? Tensor(zeros: parameter.shape)
                }
            }
        } else if options.gradients {
            throw WeightsError.badTensor(path: options.inputPath, key: "target",
                                         reason: "--grads needs --target: gradients are of the cross-entropy loss")
        }
        try output.write(path: options.outputPath)
    }

    private static func onlyTensor(in path: String, preferring key: String) throws -> Tensor {
        let file = try SafeTensors.read(path: path)
        if let tensor = file.tensors[key] { return tensor }
        guard file.tensors.count == 1, let tensor = file.tensors.values.first else {
            throw WeightsError.badTensor(path: path, key: key,
                                         reason: "no tensor `\(key)` (found: \(file.tensors.keys.sorted().joined(separator: ", ")))")
        }
        return tensor
    }
}
