// GoldenTests: every layer and a small residual network against PyTorch's outputs and gradients.

import Foundation
import Layers
import Tensors
import TestSupport
import XCTest

/// Tolerance of the issue: 1e-4 relative with a 1e-5 absolute floor.
private let rtol: Float = 1e-4
private let atol: Float = 1e-5

final class GoldenTests: XCTestCase {
    func testFixturesArePresent() {
        XCTAssertGreaterThanOrEqual(Fixture.all.count, 29, "run tools/make_fixtures.py")
    }

    func testEveryModuleLayerMatchesTorch() throws {
        var checked = 0
        for name in Fixture.all {
            let fixture = try Fixture(name)
            guard let module = try makeModule(fixture) else { continue }
            try checkModule(module, fixture)
            checked += 1
        }
        XCTAssertGreaterThanOrEqual(checked, 22)
    }

    func testDropoutMatchesTorchGivenItsMask() throws {
        let f = try Fixture("dropout")
        let p = Float(truncating: (f.layer["p"] as? NSNumber) ?? 0)
        let x = try f.tensor("input"), y = try f.tensor("output")
        // torch's mask is visible in its output: kept values are x / (1 − p).
        let mask = y.map { $0 == 0 ? 0 : 1 / (1 - p) }
        assertClose(Dropout.forward(x, mask: mask), y, rtol: rtol, atol: atol, "dropout forward")
        var dx = Tensor(zeros: x.shape)
        Dropout.backward(try f.tensor("r"), mask: mask, into: &dx)
        assertClose(dx, try f.tensor("grad_input"), rtol: rtol, atol: atol, "dropout backward")
    }

    func testConcatAndAddMatchTorch() throws {
        let c = try Fixture("concat")
        let a = try c.tensor("input"), b = try c.tensor("input2")
        assertClose(ChannelConcat.forward([a, b]), try c.tensor("output"), rtol: rtol, atol: atol)
        var da = Tensor(zeros: a.shape), db = Tensor(zeros: b.shape)
        ChannelConcat.backward(try c.tensor("r"), part: 0, channelCounts: [a.shape[1], b.shape[1]], into: &da)
        ChannelConcat.backward(try c.tensor("r"), part: 1, channelCounts: [a.shape[1], b.shape[1]], into: &db)
        assertClose(da, try c.tensor("grad_input"), rtol: rtol, atol: atol)
        assertClose(db, try c.tensor("grad_input2"), rtol: rtol, atol: atol)

        let s = try Fixture("add")
        assertClose(Residual.forward(try s.tensor("input"), try s.tensor("input2")), try s.tensor("output"),
                    rtol: rtol, atol: atol)
        var dsum = Tensor(zeros: try s.tensor("input").shape)
        Residual.backward(try s.tensor("r"), into: &dsum)
        assertClose(dsum, try s.tensor("grad_input"), rtol: rtol, atol: atol)
    }

    func testCrossEntropyMatchesTorch() throws {
        for name in ["cross_entropy", "cross_entropy_smooth"] {
            let f = try Fixture(name)
            let smoothing = Float(truncating: (f.layer["label_smoothing"] as? NSNumber) ?? 0)
            let targets = try f.tensor("target").data.map { Int($0) }
            let loss = CrossEntropyLoss(labelSmoothing: smoothing)
            let value = loss.forward(try f.tensor("input"), targets: targets)
            assertClose(Tensor(shape: [], data: [value]), try f.tensor("output"), rtol: rtol, atol: atol, name)
            assertClose(loss.backward(), try f.tensor("grad_input"), rtol: rtol, atol: atol, name)
        }
    }

    func testTinyResNetMatchesTorch() throws {
        let f = try Fixture("tiny_resnet")
        var rng = RandomGenerator(seed: 0, purpose: "init")
        let model = TinyResNet.make(classes: f.int("classes"), rng: &rng)
        try model.loadStateDict(f.entries("state"), path: "tiny_resnet state")
        model.train()
        let logits = model.forward(try f.tensor("input"))
        assertClose(logits, try f.tensor("logits"), rtol: rtol, atol: atol, "logits")
        let loss = CrossEntropyLoss()
        let value = loss.forward(logits, targets: try f.tensor("target").data.map { Int($0) })
        assertClose(Tensor(shape: [], data: [value]), try f.tensor("loss"), rtol: rtol, atol: atol, "loss")
        let gradInput = try XCTUnwrap(model.backward(loss.backward(), needsInputGradient: true))
        assertClose(gradInput, try f.tensor("grad_input"), rtol: rtol, atol: atol, "grad input")
        let parameters = model.namedParameters()
        XCTAssertEqual(parameters.count, f.entries("grad").tensors.count)
        for (key, parameter) in parameters {
            let grad = try XCTUnwrap(parameter.gradient, "no gradient for \(key)")
            assertClose(grad, try f.tensor("grad." + key), rtol: rtol, atol: atol, "grad \(key)")
        }
        for (key, buffer) in model.namedBuffers() {
            assertClose(buffer.value.reshaped(try f.tensor("buffer." + key).shape), try f.tensor("buffer." + key),
                        rtol: rtol, atol: atol, "buffer \(key)")
        }
        model.eval()
        assertClose(model.forward(try f.tensor("input")), try f.tensor("eval_logits"), rtol: rtol, atol: atol,
                    "eval logits")
    }

    // MARK: - Helpers

    private func makeModule(_ f: Fixture) throws -> (any Module)? {
        var rng = RandomGenerator(seed: 0, purpose: "init")
        switch f.type {
        case "conv2d":
            let k = f.int("kernel"), s = f.int("stride"), p = f.int("padding")
            return Conv2dLayer(inChannels: f.int("in"), outChannels: f.int("out"), kernelSize: (k, k), stride: (s, s),
                               padding: (p, p), groups: f.int("groups"), bias: f.bool("bias"), rng: &rng)
        case "batchnorm":
            return BatchNormLayer(channels: f.int("channels"), dimensions: f.int("dims"))
        case "relu": return ReLULayer()
        case "relu6": return ReLU6Layer()
        case "maxpool":
            let k = f.int("kernel"), s = f.int("stride"), p = f.int("padding")
            return MaxPool2dLayer(kernelSize: (k, k), stride: (s, s), padding: (p, p), ceilMode: f.bool("ceil_mode"))
        case "avgpool":
            let k = f.int("kernel"), s = f.int("stride"), p = f.int("padding")
            return AvgPool2dLayer(kernelSize: (k, k), stride: (s, s), padding: (p, p), ceilMode: f.bool("ceil_mode"),
                                  countIncludePad: f.bool("count_include_pad"))
        case "adaptive_avg", "adaptive_max":
            let size = (f.layer["size"] as? [NSNumber])?.map(\.intValue) ?? [1, 1]
            return f.type == "adaptive_avg" ? AdaptiveAvgPool2dLayer(outputSize: (size[0], size[1]))
                                            : AdaptiveMaxPool2dLayer(outputSize: (size[0], size[1]))
        case "concat_pool": return AdaptiveConcatPool2dLayer()
        case "flatten": return FlattenLayer()
        case "linear":
            return LinearLayer(inFeatures: f.int("in"), outFeatures: f.int("out"), bias: f.bool("bias"), rng: &rng)
        default:
            return nil
        }
    }

    private func checkModule(_ module: any Module, _ f: Fixture) throws {
        var state = f.entries("param")
        for (key, value) in f.entries("buffer_before").tensors { state.tensors[key] = value }
        try module.loadStateDict(state, path: f.name)
        module.train(f.training)
        let output = module.forward(try f.tensor("input"))
        assertClose(output, try f.tensor("output"), rtol: rtol, atol: atol, "\(f.name) forward")
        let gradInput = try XCTUnwrap(module.backward(try f.tensor("r"), needsInputGradient: true))
        assertClose(gradInput, try f.tensor("grad_input"), rtol: rtol, atol: atol, "\(f.name) grad input")
        for (key, parameter) in module.namedParameters() {
            let grad = try XCTUnwrap(parameter.gradient, "\(f.name): no gradient for \(key)")
            assertClose(grad, try f.tensor("grad." + key), rtol: rtol, atol: atol, "\(f.name) grad \(key)")
        }
        for (key, buffer) in module.namedBuffers() {
            let expected = try f.tensor("buffer." + key)
            assertClose(buffer.value.reshaped(expected.shape), expected, rtol: rtol, atol: atol, "\(f.name) \(key)")
        }
    }
}
