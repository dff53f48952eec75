// Conv2dTests: the im2col convolution against the naive reference and against finite differences.

@testable import Tensors
import TestSupport
import XCTest

final class Conv2dTests: XCTestCase {
    /// (N, C, H, W, O, KH, KW, stride, pad, groups): odd sizes, stride 2, padding, groups, depthwise, 1×1.
    static let cases: [(Int, Int, Int, Int, Int, Int, Int, Int, Int, Int)] = [
        (2, 3, 7, 7, 4, 3, 3, 1, 1, 1),
        (2, 3, 9, 8, 5, 3, 3, 2, 1, 1),
        (1, 4, 6, 5, 6, 1, 1, 1, 0, 1),
        (3, 4, 7, 9, 6, 1, 1, 2, 0, 1),
        (2, 3, 11, 11, 4, 7, 7, 2, 3, 1),
        (2, 4, 6, 6, 6, 3, 3, 1, 1, 2),
        (2, 6, 7, 7, 6, 3, 3, 2, 1, 6),
        (1, 2, 5, 5, 3, 2, 3, 1, 0, 1),
        (2, 8, 4, 4, 8, 3, 3, 1, 2, 4),
        (3, 3, 20, 37, 4, 3, 3, 2, 1, 1),
        (2, 4, 8, 40, 6, 1, 1, 2, 0, 1),
        (2, 2, 9, 35, 4, 7, 7, 2, 3, 2),
        (2, 5, 9, 19, 5, 3, 3, 1, 1, 5),
        (3, 4, 17, 18, 4, 3, 3, 2, 1, 4),
        (1, 3, 6, 6, 3, 5, 5, 1, 2, 3),
    ]

    private func geometry(_ c: (Int, Int, Int, Int, Int, Int, Int, Int, Int, Int)) -> Conv2dGeometry {
        Conv2dGeometry(batch: c.0, inChannels: c.1, height: c.2, width: c.3, outChannels: c.4,
                       kernel: (c.5, c.6), stride: (c.7, c.7), padding: (c.8, c.8), groups: c.9)
    }

    func testMatchesReferenceForwardAndBackward() {
        for (index, c) in Self.cases.enumerated() {
            let g = geometry(c)
            // Every path: whole-batch chunks, one image per chunk, one image per worker, and (for
            // depthwise shapes) the direct kernel against im2col.
            for (workspace, imageParallel, depthwise) in [(1 << 23, false, true), (g.patchSize * g.outputPlane, false, false),
                                                          (1 << 23, true, false)] {
                let context = KernelContext()
                context.workspaceLimit = workspace
                context.imageParallel = imageParallel
                context.depthwise = depthwise
                checkAgainstReference(g, seed: index, context: context)
            }
        }
    }

    /// (N, C, H, W, O, pad, chunk floats): 3×3 stride-1 shapes for Winograd — odd and even planes,
    /// padding 0, 1 and 2, a 1×1 output, and chunks of one image against the whole batch.
    static let winogradCases: [(Int, Int, Int, Int, Int, Int, Int)] = [
        (2, 8, 8, 8, 8, 1, 1 << 22),
        (3, 9, 7, 5, 10, 1, 1 << 22),
        (3, 9, 7, 5, 10, 1, 1),
        (2, 8, 6, 9, 12, 0, 1 << 22),
        (2, 12, 5, 4, 8, 2, 1),
        (2, 8, 1, 1, 8, 1, 1 << 22),
        (4, 16, 3, 3, 8, 0, 1 << 22),
        (5, 16, 16, 16, 16, 1, 1 << 14),
        (2, 16, 15, 15, 64, 1, 1 << 22),
        (2, 128, 16, 16, 32, 1, 1 << 22),
        (2, 32, 3, 3, 128, 1, 1 << 22),
        (2, 128, 4, 4, 32, 1, 1 << 22),
        (2, 128, 2, 2, 32, 1, 1 << 22),
        (2, 128, 8, 8, 32, 1, 1 << 22),
        (2, 16, 7, 7, 64, 1, 1 << 22),
        (2, 16, 3, 3, 64, 1, 1 << 22),
    ]

    func testWinogradMatchesReference() {
        for (index, c) in Self.winogradCases.enumerated() {
            let g = Conv2dGeometry(batch: c.0, inChannels: c.1, height: c.2, width: c.3, outChannels: c.4,
                                   kernel: (3, 3), padding: (c.5, c.5))
            let context = KernelContext()
            context.winograd = true
            context.unrolled = false
            context.winogradChunkFloats = c.6
            XCTAssertTrue(Conv2d.useWinograd(g, context), "\(g)")
            XCTAssertFalse(Conv2d.useUnrolled(g, context), "\(g)")
            // Winograd rounds about twice as far from the exact sum as a direct one and, like it, in
            // proportion to the largest terms, so the floor is relative to the largest value.
            checkAgainstReference(g, seed: index, relativeFloor: true, context: context)
        }
    }

    /// (N, C, H, W, O, KH, KW, stride, pad): input planes no larger than the kernel window — ResNet's
    /// 2×2 and 1×1 late planes, a strided 2×2 → 1×1, an unpadded 3×3 → 1×1, a non-square kernel
    /// with several outputs, and a 5×5 stride-2 kernel over a 2×3 plane.
    static let unrolledCases: [(Int, Int, Int, Int, Int, Int, Int, Int, Int)] = [
        (2, 8, 2, 2, 8, 3, 3, 1, 1),
        (3, 5, 1, 1, 7, 3, 3, 1, 1),
        (2, 4, 2, 2, 6, 3, 3, 2, 1),
        (2, 3, 3, 3, 4, 3, 3, 1, 0),
        (2, 3, 2, 3, 5, 2, 3, 1, 1),
        (4, 6, 2, 3, 3, 5, 5, 2, 2),
    ]

    func testUnrolledMatchesReference() {
        for (index, c) in Self.unrolledCases.enumerated() {
            let g = Conv2dGeometry(batch: c.0, inChannels: c.1, height: c.2, width: c.3, outChannels: c.4,
                                   kernel: (c.5, c.6), stride: (c.7, c.7), padding: (c.8, c.8))
            XCTAssertTrue(Conv2d.useUnrolled(g, KernelContext()), "\(g)")
            checkAgainstReference(g, seed: index)
        }
        let larger = Conv2dGeometry(batch: 2, inChannels: 4, height: 4, width: 4, outChannels: 4, kernel: (3, 3),
                                    padding: (1, 1))
        XCTAssertFalse(Conv2d.useUnrolled(larger, KernelContext()), "a 4×4 plane is larger than the 3×3 window")
    }

    /// The layer's path: a prepared unrolled weight gives what unrolling on the fly gives, and the
    /// result is the same on one thread and two.
    func testUnrolledPreparedWeightAndThreadCount() {
        let g = Conv2dGeometry(batch: 8, inChannels: 64, height: 2, width: 2, outChannels: 32, kernel: (3, 3),
                               padding: (1, 1))
        let x = randomTensor(g.inputShape, seed: 1), w = randomTensor(g.weightShape, seed: 2)
        let dy = randomTensor(g.outputShape, seed: 3)
        func run(prepared: Tensor?, context: KernelContext = KernelContext()) -> [Tensor] {
            var dx: Tensor? = Tensor(zeros: g.inputShape), dw: Tensor? = Tensor(zeros: g.weightShape)
            Conv2d.backward(dy, input: x, weight: w, geometry: g, prepared: prepared, context: context,
                            gradWeight: &dw, gradInput: &dx)
            return [Conv2d.forward(x, weight: w, bias: nil, geometry: g, prepared: prepared, context: context),
                    dx ?? Tensor(zeros: [0]), dw ?? Tensor(zeros: [0])]
        }
        let prepared = Conv2d.prepare(w, geometry: g)
        XCTAssertEqual(prepared?.shape, [32 * 4, 64 * 4])
        let threads = Parallel.threadCount
        defer { setThreadCount(threads) }
        setThreadCount(2)
        let two = run(prepared: prepared)
        XCTAssertEqual(two, run(prepared: nil))
        setThreadCount(1)
        XCTAssertEqual(two, run(prepared: prepared))
        let im2col = KernelContext()
        im2col.unrolled = false
        let other = run(prepared: Conv2d.prepare(w, geometry: g, context: im2col), context: im2col)
        for (a, b) in zip(two, other) { assertClose(a, b, atol: 1e-5 * b.maxAbs()) }
    }

    /// The layer's combined backward (Winograd transforms gradOutput once for both products) gives
    /// what the separate products give, in one chunk and in several, and for either product alone.
    func testCombinedBackwardMatchesSeparateProducts() {
        let shapes = [Conv2dGeometry(batch: 3, inChannels: 8, height: 7, width: 6, outChannels: 12, kernel: (3, 3),
                                     padding: (1, 1)),
                      Conv2dGeometry(batch: 3, inChannels: 4, height: 9, width: 9, outChannels: 6, kernel: (3, 3),
                                     stride: (2, 2), padding: (1, 1))]
        let context = KernelContext()
        context.winograd = true
        XCTAssertTrue(Conv2d.useWinograd(shapes[0], context))
        XCTAssertFalse(Conv2d.useWinograd(shapes[1], context), "stride 2 stays on im2col")
        for (g, chunk) in [(shapes[0], 1 << 22), (shapes[0], 1), (shapes[1], 1 << 22)] {
            context.winogradChunkFloats = chunk
            let x = randomTensor(g.inputShape, seed: 1), w = randomTensor(g.weightShape, seed: 2)
            let dy = randomTensor(g.outputShape, seed: 3)
            let dxStart = randomTensor(g.inputShape, seed: 4), dwStart = randomTensor(g.weightShape, seed: 5)
            var dxSeparate = dxStart, dwSeparate = dwStart
            Conv2d.backwardInput(dy, weight: w, geometry: g, context: context, into: &dxSeparate)
            Conv2d.backwardWeight(dy, input: x, geometry: g, context: context, into: &dwSeparate)
            var dx: Tensor? = dxStart, dw: Tensor? = dwStart
            Conv2d.backward(dy, input: x, weight: w, geometry: g, prepared: Conv2d.prepare(w, geometry: g, context: context),
                            context: context, gradWeight: &dw, gradInput: &dx)
            XCTAssertEqual(dx?.data, dxSeparate.data, "input gradient \(g) chunk \(chunk)")
            XCTAssertEqual(dw?.data, dwSeparate.data, "weight gradient \(g) chunk \(chunk)")
            // Each product alone, against the naive reference (the separate products above run the
            // same calls, so comparing with them could not fail).
            var dxReference = dxStart, dwReference = dwStart
            Conv2dReference.backwardInput(dy, weight: w, geometry: g, into: &dxReference)
            Conv2dReference.backwardWeight(dy, input: x, geometry: g, into: &dwReference)
            var onlyInput: Tensor? = dxStart, noWeight: Tensor? = nil
            Conv2d.backward(dy, input: nil, weight: w, geometry: g, context: context, gradWeight: &noWeight,
                            gradInput: &onlyInput)
            assertClose(onlyInput ?? dxStart, dxReference, rtol: 1e-4, atol: 1e-5 * dxReference.maxAbs(),
                        "input gradient alone \(g)")
            XCTAssertNil(noWeight)
            var onlyWeight: Tensor? = dwStart, noInput: Tensor? = nil
            Conv2d.backward(dy, input: x, weight: w, geometry: g, context: context, gradWeight: &onlyWeight,
                            gradInput: &noInput)
            assertClose(onlyWeight ?? dwStart, dwReference, rtol: 1e-4, atol: 1e-5 * dwReference.maxAbs(),
                        "weight gradient alone \(g)")
        }
    }

    /// Winograd and im2col give the same numbers on a ResNet-sized layer, and the Winograd result
    /// does not depend on the thread count.
    func testWinogradAgreesWithIm2colAndThreadCount() {
        let g = Conv2dGeometry(batch: 4, inChannels: 32, height: 12, width: 12, outChannels: 48,
                               kernel: (3, 3), padding: (1, 1))
        let x = randomTensor(g.inputShape, seed: 1), w = randomTensor(g.weightShape, seed: 2)
        let dy = randomTensor(g.outputShape, seed: 3)
        func run(_ context: KernelContext) -> (Tensor, Tensor, Tensor) {
            var dx = Tensor(zeros: g.inputShape), dw = Tensor(zeros: g.weightShape)
            Conv2d.backwardInput(dy, weight: w, geometry: g, context: context, into: &dx)
            Conv2d.backwardWeight(dy, input: x, geometry: g, context: context, into: &dw)
            return (Conv2d.forward(x, weight: w, bias: nil, geometry: g, context: context), dx, dw)
        }
        let threads = Parallel.threadCount
        defer { setThreadCount(threads) }
        let im2colContext = KernelContext(), winograd = KernelContext()
        im2colContext.winograd = false
        winograd.winograd = true
        let im2col = run(im2colContext)
        XCTAssertTrue(Conv2d.useWinograd(g, winograd))
        setThreadCount(2)
        let two = run(winograd)
        setThreadCount(1)
        let one = run(winograd)
        assertClose(two.0, im2col.0, atol: 1e-5 * im2col.0.maxAbs(), "forward")
        assertClose(two.1, im2col.1, atol: 1e-5 * im2col.1.maxAbs(), "input gradient")
        assertClose(two.2, im2col.2, atol: 1e-5 * im2col.2.maxAbs(), "weight gradient")
        XCTAssertEqual(two.0.data, one.0.data)
        XCTAssertEqual(two.1.data, one.1.data)
        XCTAssertEqual(two.2.data, one.2.data)
    }

    /// Forward and the three backward products of `g` against the naive reference; backward starts
    /// from non-zero gradients, since it must accumulate. `relativeFloor` puts the absolute floor at
    /// 1e-5 of the largest expected value instead of 1e-5.
    private func checkAgainstReference(_ g: Conv2dGeometry, seed index: Int, relativeFloor: Bool = false,
                                       context: KernelContext = KernelContext(),
                                       file: StaticString = #filePath, line: UInt = #line) {
        func check(_ actual: Tensor, _ expected: Tensor, _ what: String) {
            let atol: Float = relativeFloor ? 1e-5 * max(1, expected.maxAbs()) : 1e-5
            assertClose(actual, expected, rtol: 1e-4, atol: atol, "\(what) \(g)", file: file, line: line)
        }
        let x = randomTensor(g.inputShape, seed: UInt64(index))
        let w = randomTensor(g.weightShape, seed: UInt64(index + 100))
        let b = randomTensor([g.outChannels], seed: UInt64(index + 200))
        let dy = randomTensor(g.outputShape, seed: UInt64(index + 300))
        check(Conv2d.forward(x, weight: w, bias: b, geometry: g, context: context),
              Conv2dReference.forward(x, weight: w, bias: b, geometry: g), "forward")

        let start = randomTensor(g.inputShape, seed: 7)
        var dx = start, dxRef = start
        Conv2d.backwardInput(dy, weight: w, geometry: g, context: context, into: &dx)
        Conv2dReference.backwardInput(dy, weight: w, geometry: g, into: &dxRef)
        check(dx, dxRef, "backward input")

        let wStart = randomTensor(g.weightShape, seed: 8)
        var dw = wStart, dwRef = wStart
        Conv2d.backwardWeight(dy, input: x, geometry: g, context: context, into: &dw)
        Conv2dReference.backwardWeight(dy, input: x, geometry: g, into: &dwRef)
        check(dw, dwRef, "backward weight")

        var db = Tensor(repeating: 1, shape: [g.outChannels]), dbRef = db
        Conv2d.backwardBias(dy, geometry: g, into: &db)
        Conv2dReference.backwardBias(dy, geometry: g, into: &dbRef)
        check(db, dbRef, "backward bias")
    }

    func testGradientsMatchFiniteDifferences() {
        for (index, c) in Self.cases.enumerated() {
            let g = geometry(c)
            let x = randomTensor(g.inputShape, seed: UInt64(index))
            let w = randomTensor(g.weightShape, seed: UInt64(index + 100))
            let b = randomTensor([g.outChannels], seed: UInt64(index + 200))
            let r = lossWeights(g.outputShape)
            var dx = Tensor(zeros: g.inputShape), dw = Tensor(zeros: g.weightShape), db = Tensor(zeros: [g.outChannels])
            Conv2d.backwardInput(r, weight: w, geometry: g, into: &dx)
            Conv2d.backwardWeight(r, input: x, geometry: g, into: &dw)
            Conv2d.backwardBias(r, geometry: g, into: &db)
            let numericX = numericalGradient(at: x) { Conv2d.forward($0, weight: w, bias: b, geometry: g).dot(r) }
            let numericW = numericalGradient(at: w) { Conv2d.forward(x, weight: $0, bias: b, geometry: g).dot(r) }
            let numericB = numericalGradient(at: b) { Conv2d.forward(x, weight: w, bias: $0, geometry: g).dot(r) }
            assertClose(dx, numericX, rtol: 1e-2, atol: 2e-3, "input \(g)")
            assertClose(dw, numericW, rtol: 1e-2, atol: 2e-3, "weight \(g)")
            assertClose(db, numericB, rtol: 1e-2, atol: 2e-3, "bias \(g)")
        }
    }

    func testOutputSizeFollowsTorch() {
        let g = Conv2dGeometry(batch: 1, inChannels: 3, height: 224, width: 224, outChannels: 64,
                               kernel: (7, 7), stride: (2, 2), padding: (3, 3))
        XCTAssertEqual(g.outputShape, [1, 64, 112, 112])
        XCTAssertEqual(Conv2dGeometry(batch: 1, inChannels: 1, height: 7, width: 6, outChannels: 1,
                                      kernel: (3, 3), stride: (2, 2), padding: (1, 1)).outputShape, [1, 1, 4, 3])
    }
}
