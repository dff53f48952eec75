// ArchitectureParityTests: whole torchvision networks against torch — logits, running statistics and gradients.

import Foundation
import Layers
import Tensors
import TestSupport
import XCTest

/// The tolerance for logits and buffers: 1e-4 relative with a 1e-5 absolute floor.
private let rtol: Float = 1e-4
private let atol: Float = 1e-5

/// Looser absolute floors for training-mode logits and running statistics, where the issue's
/// 1e-5 is below what float32 can promise: the last BatchNorms of these networks normalise 8
/// values per channel (2 images × 2×2 at 64 pixels), and dividing by those small-sample σ
/// amplifies rounding. Against torch's float64 result, torch's own float32 logits are off by
/// 4.7e-5 (resnet50) and 1.1e-5 (mobilenet_v2), ours by 1.2e-4 and 2.2e-5; between the two float32
/// results we measured 1.5e-4 and 1.2e-5. Each floor is about twice or more that, still far below
/// any structural error. Evaluation mode keeps 1e-5 for every network.
private let trainingFloors: [Architecture: Float] = [.resnet50: 3e-4, .mobilenetV2: 5e-5]

/// Fixtures come from tools/make_arch_fixture.py, run once per test process in a temporary
/// directory: the weights of VGG alone are half a gigabyte, too large to commit.
private enum ArchitectureFixtures {
    static let architectures: [Architecture] = [.resnet18, .resnet50, .densenet121, .vgg16BN, .squeezenet1_1,
                                                .mobilenetV2]
    /// Evaluation-mode gradients for the networks whose blocks are new (Fire, dense layers, inverted
    /// residuals) and for the common case; resnet50's and VGG's would only add size and time.
    static let withGradients: [Architecture] = [.resnet18, .densenet121, .squeezenet1_1, .mobilenetV2]
    /// Training-mode gradients only where they are well conditioned at this size. At 64 pixels the
    /// last BatchNorms of densenet121 and mobilenet_v2 normalise 8 values per channel (2 images ×
    /// 2×2), some of them nearly constant after a ReLU, so 1/σ amplifies rounding and ReLU masks flip
    /// on it: torch's own float32 input gradient for mobilenet_v2 is 0.9% off its float64 one. The
    /// block code is the same in both modes (evaluation checks it), and so is the BatchNorm training
    /// backward (resnet18 checks it here, and the golden layer tests on their own).
    static let withTrainingGradients: [Architecture] = [.resnet18]
    /// Gradients checked with 3×3 convolutions on im2col instead of Winograd. Winograd's forward
    /// rounding differs from torch's direct convolution by about 1e-6 of the largest value (the
    /// logits still match to 1.7e-6), but at 64 pixels the last blocks of these two networks sum
    /// BatchNorm and bias gradients over 8 positions per channel after a ReLU, so the few
    /// activations within that rounding of zero flip their ReLU mask and move those sums: densenet121's
    /// transition3.norm.bias moved by 0.5% of its largest entry with Winograd in block 1 alone, and
    /// squeezenet1_1's input gradient by 3%. The kernels themselves are checked against the naive
    /// reference in Conv2dTests; here the check is of the blocks.
    static let im2colGradients: [Architecture] = [.densenet121, .squeezenet1_1]
    static let directory = FileManager.default.temporaryDirectory
        .appendingPathComponent("runner-arch-fixtures-\(ProcessInfo.processInfo.processIdentifier)")
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("tools/make_arch_fixture.py")

    /// nil when torch, torchvision or safetensors is not installed; made once, on first use.
    static let generated: Result<URL?, Error> = Result {
        guard try python(["-c", "import torch, torchvision, safetensors"]).status == 0 else { return nil }
        let (status, errors) = try python([script.path] + architectures.map(\.rawValue) + [directory.path,
            "--gradients-for", withGradients.map(\.rawValue).joined(separator: ","),
            "--train-gradients-for", withTrainingGradients.map(\.rawValue).joined(separator: ",")])
        guard status == 0 else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey:
                "make_arch_fixture.py exited with \(status): \(errors)"])
        }
        return directory
    }

    private static func python(_ arguments: [String]) throws -> (status: Int32, errors: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3"] + arguments
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        // Read before waiting, so a chatty child cannot block on a full pipe.
        let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, text)
    }
}

final class ArchitectureParityTests: XCTestCase {
    override class func tearDown() {
        try? FileManager.default.removeItem(at: ArchitectureFixtures.directory)
        super.tearDown()
    }

    func testResNet18MatchesTorch() throws { try checkParity(.resnet18) }
    func testResNet50MatchesTorch() throws { try checkParity(.resnet50) }
    func testDenseNet121MatchesTorch() throws { try checkParity(.densenet121) }
    func testVGG16BNMatchesTorch() throws { try checkParity(.vgg16BN) }
    func testSqueezeNet1_1MatchesTorch() throws { try checkParity(.squeezenet1_1) }
    func testMobileNetV2MatchesTorch() throws { try checkParity(.mobilenetV2) }

    private func checkParity(_ arch: Architecture, file: StaticString = #filePath, line: UInt = #line) throws {
        guard let directory = try ArchitectureFixtures.generated.get() else { throw XCTSkip("torch not installed") }
        let folder = directory.appendingPathComponent(arch.rawValue)
        let weights = try SafeTensors.read(path: folder.appendingPathComponent("weights.safetensors").path)
        let outputs = try SafeTensors.read(path: folder.appendingPathComponent("outputs.safetensors").path)
        func expected(_ key: String) throws -> Tensor {
            try XCTUnwrap(outputs.tensors[key], "\(arch.rawValue): fixture has no `\(key)`", file: file, line: line)
        }
        let name = arch.rawValue

        var rng = RandomGenerator(seed: 0, purpose: "init")
        let model = arch.build(numClasses: 10, rng: &rng)
        // Verified load: any missing, unexpected or misshapen key throws, naming it.
        try model.loadStateDict(weights, path: name)
        let state = model.stateDict()
        XCTAssertEqual(state.tensors, weights.tensors, "\(name): state dict does not round-trip", file: file, line: line)
        XCTAssertEqual(state.dtypes, weights.dtypes.filter { $0.value != .f32 }, "\(name): counters are I64",
                       file: file, line: line)
        let input = try expected("input")
        let r = try expected("r")

        model.eval()
        let evalLogits = model.forward(input)
        compare(evalLogits, try expected("eval_logits"), "\(name) eval logits", file: file, line: line)
        if ArchitectureFixtures.withGradients.contains(arch) {
            // The gradients come from the last forward, so it is repeated on the path they are checked on.
            if ArchitectureFixtures.im2colGradients.contains(arch) {
                model.context.kernels.winograd = false
                _ = model.forward(input)
            }
            defer { model.context.kernels.winograd = nil }
            try compareGradients(model, r, outputs, prefix: "eval.", name, file: file, line: line)
        }

        model.train()
        // The fixture's training forward runs without dropout: torch's masks cannot be reproduced.
        for dropout in model.modules(of: DropoutLayer.self) { dropout.isTraining = false }
        let trainLogits = model.forward(input)
        let trainTolerance = trainingFloors[arch] ?? atol
        compare(trainLogits, try expected("train_logits"), "\(name) train logits", atol: trainTolerance,
                file: file, line: line)
        for (key, buffer) in model.namedBuffers() {
            compare(buffer.value, try expected("after." + key), "\(name) \(key) after training forward",
                    atol: trainTolerance, quiet: true, file: file, line: line)
        }
        if ArchitectureFixtures.withTrainingGradients.contains(arch) {
            try compareGradients(model, r, outputs, prefix: "train.", name, file: file, line: line)
        }
    }

    /// Backward from the logits of the last forward, L = Σ logits · r, against torch's gradients
    /// for the input and every parameter. A weight gradient sums products over every image and
    /// position, so its rounding error scales with the tensor's largest entries rather than with
    /// each entry; the absolute floor is therefore 1e-4 of the largest reference entry (relative
    /// 1e-4 as for the logits). Measured: at most 2.2e-6 of it in evaluation mode, 2.2e-5 in training.
    private func compareGradients(_ model: TorchvisionModel, _ r: Tensor, _ outputs: SafeTensors, prefix: String,
                                  _ name: String, file: StaticString, line: UInt) throws {
        func expected(_ key: String) throws -> Tensor {
            try XCTUnwrap(outputs.tensors[prefix + key], "\(name): fixture has no `\(prefix + key)`",
                          file: file, line: line)
        }
        let mode = prefix.dropLast()
        model.zeroGradients()
        let gradInput = try XCTUnwrap(model.backward(r, needsInputGradient: true), file: file, line: line)
        let referenceInput = try expected("grad_input")
        assertClose(gradInput, referenceInput, rtol: rtol, atol: max(atol, 1e-4 * referenceInput.maxAbs()),
                    "\(name) \(mode) input gradient", file: file, line: line)
        var worst: (key: String, scaled: Float) = ("input", gradInput.maxAbsDifference(referenceInput)
                                                   / max(referenceInput.maxAbs(), .leastNormalMagnitude))
        for (key, parameter) in model.namedParameters() {
            let gradient = try XCTUnwrap(parameter.gradient, "\(name): no gradient for \(key)", file: file, line: line)
            let reference = try expected("grad." + key)
            assertClose(gradient, reference, rtol: rtol, atol: max(atol, 1e-4 * reference.maxAbs()),
                        "\(name) \(mode) gradient of \(key)", file: file, line: line)
            let scaled = gradient.maxAbsDifference(reference) / max(reference.maxAbs(), .leastNormalMagnitude)
            if scaled > worst.scaled { worst = (key, scaled) }
        }
        print("\(name) \(mode) gradients: worst max abs diff / max |reference| \(worst.scaled) (\(worst.key))")
    }

    private func compare(_ actual: Tensor, _ expected: Tensor, _ what: String, atol: Float = atol, quiet: Bool = false,
                         file: StaticString, line: UInt) {
        assertClose(actual.reshaped(expected.shape), expected, rtol: rtol, atol: atol, what, file: file, line: line)
        if !quiet {
            print("\(what): max abs diff \(actual.maxAbsDifference(expected.reshaped(actual.shape))) "
                  + "(max |value| \(expected.maxAbs()))")
        }
    }
}
