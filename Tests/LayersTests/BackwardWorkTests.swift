// BackwardWorkTests: backward skips weight gradients of frozen parameters and input gradients nobody needs.

import Layers
import Tensors
import TestSupport
import XCTest

/// Records what backward was asked for, and passes gradients through unchanged.
private final class Probe: Module {
    let typeName = "Probe"
    var isTraining = true
    var asked: [Bool] = []

    func forward(_ input: Tensor) -> Tensor { input }

    func backward(_ gradOutput: Tensor, needsInputGradient: Bool) -> Tensor? {
        asked.append(needsInputGradient)
        return needsInputGradient ? gradOutput : nil
    }
}

final class BackwardWorkTests: XCTestCase {
    private func conv(_ rng: inout RandomGenerator) -> Conv2dLayer {
        Conv2dLayer(inChannels: 2, outChannels: 2, kernelSize: (3, 3), padding: (1, 1), rng: &rng)
    }

    func testFrozenWeightsGetNoGradient() {
        var rng = RandomGenerator(seed: 1)
        let layer = conv(&rng)
        layer.weight.requiresGrad = false
        let x = randomTensor([1, 2, 4, 4], seed: 2)
        let y = layer.forward(x)
        let dx = layer.backward(Tensor(repeating: 1, shape: y.shape), needsInputGradient: true)
        XCTAssertNil(layer.weight.gradient)
        XCTAssertNotNil(layer.bias?.gradient)
        XCTAssertEqual(dx?.shape, x.shape)
    }

    func testNoInputGradientBelowTheLowestTrainableLayer() {
        var rng = RandomGenerator(seed: 1)
        let bottom = Probe(), middle = Probe()
        let frozen = conv(&rng), trainable = conv(&rng)
        frozen.weight.requiresGrad = false
        frozen.bias?.requiresGrad = false
        let model = Sequential([bottom, frozen, middle, trainable])
        let y = model.forward(randomTensor([1, 2, 4, 4], seed: 2))
        XCTAssertNil(model.backward(Tensor(repeating: 1, shape: y.shape), needsInputGradient: false))
        // Nothing below the trainable conv trains, so it is not asked for an input gradient and
        // backward stops there.
        XCTAssertEqual(middle.asked, [])
        XCTAssertEqual(bottom.asked, [])
        XCTAssertNotNil(trainable.weight.gradient)
        XCTAssertNil(frozen.weight.gradient)
    }

    func testFrozenLayersBetweenTrainableOnesPassGradientsOn() {
        var rng = RandomGenerator(seed: 1)
        let bottom = Probe(), middle = Probe()
        let frozen = conv(&rng)
        frozen.weight.requiresGrad = false
        frozen.bias?.requiresGrad = false
        let model = Sequential([bottom, conv(&rng), middle, frozen, conv(&rng)])
        let y = model.forward(randomTensor([1, 2, 4, 4], seed: 2))
        XCTAssertNil(model.backward(Tensor(repeating: 1, shape: y.shape), needsInputGradient: false))
        XCTAssertEqual(middle.asked, [true])
        XCTAssertEqual(bottom.asked, [], "the lowest conv trains but needs no input gradient, so backward ends there")
        XCTAssertNil(frozen.weight.gradient)
    }

    func testInputGradientFlowsWhenSomethingBelowTrains() {
        var rng = RandomGenerator(seed: 1)
        let probe = Probe()
        let model = Sequential([conv(&rng), probe, conv(&rng)])
        let y = model.forward(randomTensor([1, 2, 4, 4], seed: 2))
        XCTAssertNil(model.backward(Tensor(repeating: 1, shape: y.shape), needsInputGradient: false))
        XCTAssertEqual(probe.asked, [true])
    }

    func testResidualBlockWithFrozenMainPathStillTrainsItsShortcut() throws {
        var rng = RandomGenerator(seed: 1)
        let downsample = Sequential([
            Conv2dLayer(inChannels: 2, outChannels: 4, kernelSize: (1, 1), stride: (2, 2), bias: false, rng: &rng),
            BatchNormLayer(channels: 4),
        ])
        let block = BasicBlock(inPlanes: 2, planes: 4, stride: 2, downsample: downsample, rng: &rng)
        for (key, parameter) in block.namedParameters() where !key.hasPrefix("downsample") {
            parameter.requiresGrad = false
        }
        let y = block.forward(randomTensor([2, 2, 6, 6], seed: 3))
        XCTAssertNil(block.backward(randomTensor(y.shape, seed: 4), needsInputGradient: false))
        XCTAssertNil(block.conv1.weight.gradient)
        let shortcutConv = try XCTUnwrap(downsample[0] as? Conv2dLayer)
        XCTAssertNotNil(shortcutConv.weight.gradient)
    }
}
