// KernelBenchmark: GFLOP/s of conv forward and both backward products on ResNet-18's layer shapes,
// each beside plain sgemm on the GEMM of the same (M, N, K).

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

    public static func resnet18Geometries(batch: Int) -> [(String, Conv2dGeometry)] {
        resnet18Layers.map { name, c, size, o, k, s, p in
            (name, Conv2dGeometry(batch: batch, inChannels: c, height: size, width: size, outChannels: o,
                                  kernel: (k, k), stride: (s, s), padding: (p, p)))
        }
    }

    /// Runs the three conv products of every shape; `report` is called as each result is ready.
    public static func run(batch: Int = 32, threads: Int = 2, repeats: Int = 3,
                           report: (KernelBenchmarkResult) -> Void) {
        setThreadCount(threads)
        var rng = RandomGenerator(seed: 1, purpose: "bench")
        for (name, g) in resnet18Geometries(batch: batch) {
            let x = Tensor.uniform(g.inputShape, low: -1, high: 1, rng: &rng)
            let w = Tensor.uniform(g.weightShape, low: -1, high: 1, rng: &rng)
            let dy = Tensor.uniform(g.outputShape, low: -1, high: 1, rng: &rng)
            let columns = g.batch * g.outputPlane
            let shape = "\(name) \(g)"

            let forward = Stopwatch.best(repeats: repeats) { _ = Conv2d.forward(x, weight: w, bias: nil, geometry: g) }
            report(result("conv_forward", shape, g.flops, forward,
                          sgemm(m: g.outChannels, n: columns, k: g.patchSize, repeats: repeats)))

            var dx = Tensor(zeros: g.inputShape)
            let backwardInput = Stopwatch.best(repeats: repeats) {
                Conv2d.backwardInput(dy, weight: w, geometry: g, into: &dx)
            }
            report(result("conv_backward_input", shape, g.flops, backwardInput,
                          sgemm(transA: true, m: g.patchSize, n: columns, k: g.outChannels, repeats: repeats)))

            var dw = Tensor(zeros: g.weightShape)
            let backwardWeight = Stopwatch.best(repeats: repeats) {
                Conv2d.backwardWeight(dy, input: x, geometry: g, into: &dw)
            }
            report(result("conv_backward_weight", shape, g.flops, backwardWeight,
                          sgemm(transB: true, m: g.outChannels, n: g.patchSize, k: columns, repeats: repeats)))
        }
    }

    private static func result(_ op: String, _ shape: String, _ flops: Double, _ seconds: Double,
                               _ sgemmSeconds: Double) -> KernelBenchmarkResult {
        KernelBenchmarkResult(op: op, shape: shape, gflops: flops / seconds / 1e9,
                              sgemmGflops: flops / sgemmSeconds / 1e9)
    }

    /// Seconds of one sgemm with op(A) M×K and op(B) K×N, as the conv kernel lays its operands out.
    private static func sgemm(transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int,
                              repeats: Int) -> Double {
        let a = [Float](repeating: 0.5, count: m * k)
        let b = [Float](repeating: 0.25, count: k * n)
        var c = [Float](repeating: 0, count: m * n)
        return a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                c.withUnsafeMutableBufferPointer { c in
                    guard let pa = a.baseAddress, let pb = b.baseAddress, let pc = c.baseAddress else { return .nan }
                    return Stopwatch.best(repeats: repeats) {
                        BLAS.sgemm(transA: transA, transB: transB, m: m, n: n, k: k,
                                   a: pa, lda: transA ? m : k, b: pb, ldb: transB ? k : n,
                                   beta: 0, c: pc, ldc: n)
                    }
                }
            }
        }
    }
}
