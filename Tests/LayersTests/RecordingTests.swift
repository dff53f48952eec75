// RecordingTests: a forward pass whose input needs no gradient keeps fewer activations and gives the same gradients.

import Layers
import Tensors
import TestSupport
import XCTest

/// Remembers whether recording was on when its forward ran.
private final class FlagProbe: ContextualLayer {
    let typeName = "FlagProbe"
    var isTraining = true
    var context = ExecutionContext()
    var seen: Bool?

    func forward(_ input: Tensor) -> Tensor {
        seen = context.inputGradients
        return input
    }

    func backward(_ gradOutput: Tensor, needsInputGradient: Bool) -> Tensor? {
        needsInputGradient ? gradOutput : nil
    }
}

final class RecordingTests: XCTestCase {
    /// Trainable-parameter gradients after one forward and backward, with the forward run as a
    /// training step runs it (input needs no gradient) or recording everything.
    private func gradients(_ make: (inout RandomGenerator) -> any Module, trainable: (String) -> Bool,
                           input shape: [Int], scoped: Bool) -> [String: Tensor] {
        var rng = RandomGenerator(seed: 11)
        let model = make(&rng)
        for (key, parameter) in model.namedParameters() { parameter.requiresGrad = trainable(key) }
        let x = randomTensor(shape, seed: 12)
        let context = ExecutionContext()
        model.use(context)
        let y = scoped ? context.withoutInputGradient { model.forward(x) } : model.forward(x)
        XCTAssertTrue(context.inputGradients, "the scope restores recording")
        _ = model.backward(randomTensor(y.shape, seed: 13), needsInputGradient: false)
        var result: [String: Tensor] = [:]
        for (key, parameter) in model.namedParameters() where parameter.requiresGrad {
            XCTAssertNotNil(parameter.gradient, "\(key) trains but got no gradient")
            result[key] = parameter.gradient
        }
        return result
    }

    private func check(_ name: String, _ make: (inout RandomGenerator) -> any Module, input: [Int],
                       trainable: (String) -> Bool) {
        let scoped = gradients(make, trainable: trainable, input: input, scoped: true)
        let recorded = gradients(make, trainable: trainable, input: input, scoped: false)
        XCTAssertFalse(recorded.isEmpty, name)
        XCTAssertEqual(Set(scoped.keys), Set(recorded.keys), name)
        for (key, gradient) in recorded {
            XCTAssertEqual(scoped[key]?.data, gradient.data, "\(name): \(key)")
        }
    }

    func testFrozenPrefixesGiveTheSameGradients() {
        let tiny: (inout RandomGenerator) -> any Module = { TinyResNet.make(classes: 5, rng: &$0) }
        let input = [2, 3, 12, 12]
        check("classifier only", tiny, input: input) { $0.hasPrefix("fc.") }
        check("train_bn", tiny, input: input) { !$0.contains("conv") && !$0.hasPrefix("layer2.downsample.0") }
        check("last block and classifier", tiny, input: input) { $0.hasPrefix("layer2.") || $0.hasPrefix("fc.") }
        check("shortcut only", tiny, input: input) { $0.hasPrefix("layer2.downsample.") }
        check("everything", tiny, input: input) { _ in true }
    }

    /// The flag layers read: off from the start of a scoped pass until a trainable layer ran, on
    /// throughout an unscoped one.
    func testTheScopeIsOffUntilATrainableLayerRan() {
        var rng = RandomGenerator(seed: 1)
        let frozen = Conv2dLayer(inChannels: 2, outChannels: 2, kernelSize: (1, 1), rng: &rng)
        for (_, parameter) in frozen.namedParameters() { parameter.requiresGrad = false }
        let trainable = Conv2dLayer(inChannels: 2, outChannels: 2, kernelSize: (1, 1), rng: &rng)
        let probes = [FlagProbe(), FlagProbe(), FlagProbe()]
        let model = Sequential([probes[0], frozen, probes[1], trainable, probes[2]])
        let x = randomTensor([1, 2, 3, 3], seed: 2)
        let context = ExecutionContext()
        model.use(context)
        _ = context.withoutInputGradient { model.forward(x) }
        XCTAssertEqual(probes.map(\.seen), [false, false, true])
        _ = model.forward(x)
        XCTAssertEqual(probes.map(\.seen), [true, true, true])
    }

    /// A Fire block with a frozen squeeze and 1×1 expand: its ReLUs ran before anything trainable.
    func testPartlyFrozenFireGivesTheSameGradients() {
        let fire: (inout RandomGenerator) -> any Module = {
            Fire(inPlanes: 4, squeezePlanes: 3, expand1x1Planes: 4, expand3x3Planes: 4, rng: &$0)
        }
        check("expand3x3 only", fire, input: [2, 4, 5, 5]) { $0.hasPrefix("expand3x3.") }
    }
}
