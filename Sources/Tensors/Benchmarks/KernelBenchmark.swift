// KernelBenchmark: GFLOP/s of conv forward and both backward products on ResNet-18's layer shapes,
// each beside plain sgemm on the im2col GEMM of the same (M, N, K). GFLOP/s counts a direct
// convolution's multiply-adds, so a kernel that does fewer (Winograd) can exceed the sgemm figure.

public struct KernelBenchmarkResult: Sendable {
    public var op: String
    public var shape: String
    public var gflops: Double
    public var sgemmGflops: Double
    public var ratio: Double { gflops / sgemmGflops }
}

public enum KernelBenchmark {
    /// The distinct convolutions of torchvision's resnet18 at 224 px: name, C, H (=W), O, kernel, stride, padding.
    public static let resnet18Layers: [(String, Int, Int, Int, Int, Int, Int)] = [
        ("conv1", 3, 224, 64, 7, 2, 3),
        ("layer1.conv", 64, 56, 64, 3, 1, 1),
        ("layer2.0.conv1", 64, 56, 128, 3, 2, 1),
        ("layer2.conv", 128, 28, 128, 3, 1, 1),
        ("layer2.0.downsample", 64, 56, 128, 1, 2, 0),
        ("layer3.0.conv1", 128, 28, 256, 3, 2, 1),
        ("layer3.conv", 256, 14, 256, 3, 1, 1),
        ("layer3.0.downsample", 128, 28, 256, 1, 2, 0),
        ("layer4.0.conv1", 256, 14, 512, 3, 2, 1),
        ("layer4.conv", 512, 7, 512, 3, 1, 1),
        ("layer4.0.downsample", 256, 14, 512, 1, 2, 0),
    ]

    /// The same layers for `imageSize`-pixel images: every plane scaled by imageSize / 224.
    public static func resnet18Geometries(batch: Int, imageSize: Int = 224) -> [(String, Conv2dGeometry)] {
        resnet18Layers.map { name, c, size, o, k, s, p in
            let plane = max(1, size * imageSize / 224)
            return (name, Conv2dGeometry(batch: batch, inChannels: c, height: plane, width: plane, outChannels: o,
                                         kernel: (k, k), stride: (s, s), padding: (p, p)))
        }
    }

    /// Runs the three conv products of every shape; `report` is called as each result is ready.
    /// Every case runs with `context` (its algorithm choices, and scratch reused between runs as a model reuses it).
    public static func run(batch: Int = 32, imageSize: Int = 224, threads: Int = 2, repeats: Int = 3,
                           context: KernelContext = KernelContext(), report: (KernelBenchmarkResult) -> Void) {
        setThreadCount(threads)
        var rng = RandomGenerator(seed: 1, purpose: "bench")
        for (name, g) in resnet18Geometries(batch: batch, imageSize: imageSize) {
            let x = Tensor.uniform(g.inputShape, low: -1, high: 1, rng: &rng)
            let w = Tensor.uniform(g.weightShape, low: -1, high: 1, rng: &rng)
            let dy = Tensor.uniform(g.outputShape, low: -1, high: 1, rng: &rng)
            let columns = g.batch * g.outputPlane
            let shape = "\(name) \(g)"
            var dx = Tensor(zeros: g.inputShape)
            var dw = Tensor(zeros: g.weightShape)
            let cases: [(String, () -> Void, GEMMShape)] = [
                ("conv_forward", { _ = Conv2d.forward(x, weight: w, bias: nil, geometry: g, context: context) },
                 GEMMShape(m: g.outChannels, n: columns, k: g.patchSize)),
                ("conv_backward_input", { Conv2d.backwardInput(dy, weight: w, geometry: g, context: context, into: &dx) },
                 GEMMShape(transA: true, m: g.patchSize, n: columns, k: g.outChannels)),
                ("conv_backward_weight", { Conv2d.backwardWeight(dy, input: x, geometry: g, context: context, into: &dw) },
                 GEMMShape(transB: true, m: g.outChannels, n: g.patchSize, k: columns)),
            ]
            for (op, run, gemm) in cases {
                let (seconds, sgemmSeconds) = gemm.withOperands { sgemm in
                    Stopwatch.bestAlternating(repeats: repeats, run, sgemm)
                }
                report(KernelBenchmarkResult(op: op, shape: shape, gflops: g.flops / seconds / 1e9,
                                             sgemmGflops: g.flops / sgemmSeconds / 1e9))
            }
        }
    }

    /// One plain sgemm with op(A) M×K and op(B) K×N, laid out as the conv kernel lays its operands.
    private struct GEMMShape {
        var transA = false
        var transB = false
        var m: Int
        var n: Int
        var k: Int

        func withOperands<R>(_ body: (() -> Void) -> R) -> R {
            let a = UnsafeMutablePointer<Float>.allocate(capacity: m * k)
            let b = UnsafeMutablePointer<Float>.allocate(capacity: k * n)
            let c = UnsafeMutablePointer<Float>.allocate(capacity: m * n)
            defer { a.deallocate(); b.deallocate(); c.deallocate() }
            a.initialize(repeating: 0.5, count: m * k)
            b.initialize(repeating: 0.25, count: k * n)
            c.initialize(repeating: 0, count: m * n)
            return body {
                BLAS.sgemm(transA: transA, transB: transB, m: m, n: n, k: k, a: a, lda: transA ? m : k,
                           b: b, ldb: transB ? k : n, beta: 0, c: c, ldc: n)
            }
        }
    }
}
