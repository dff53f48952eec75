// Initializers: seeded tensor creation with torch.nn.init's distributions (uniform, normal, kaiming).

public enum FanMode: Sendable {
    case fanIn, fanOut
}

extension Tensor {
    public static func uniform(_ shape: [Int], low: Float = 0, high: Float = 1, rng: inout RandomGenerator) -> Tensor {
        drawn(shape, rng: &rng) { generator in generator.uniform(low, high) }
    }

    public static func normal(_ shape: [Int], mean: Float = 0, std: Float = 1, rng: inout RandomGenerator) -> Tensor {
        drawn(shape, rng: &rng) { generator in mean + std * generator.normal() }
    }

    /// Values drawn in fixed blocks, each from its own stream derived from `rng`, so large tensors
    /// (vgg's 100M-weight classifier) fill in parallel yet identically for any thread count.
    @inline(__always)
    private static func drawn(_ shape: [Int], rng: inout RandomGenerator,
                              _ draw: (inout RandomGenerator) -> Float) -> Tensor {
        let count = elementCount(shape)
        let block = 1 << 16
        let base = rng
        _ = rng.next()  // the next tensor must not repeat this one
        return Tensor(uninitializedShape: shape) { values in
            Parallel.forEach((count + block - 1) / block) { blocks in
                for b in blocks {
                    var generator = base.derived(UInt64(b))
                    for i in (b * block)..<min(count, (b + 1) * block) { values[i] = draw(&generator) }
                }
            }
        }
    }

    /// torch's `_calculate_fan_in_and_fan_out`: dimension 1 (resp. 0) times the receptive field.
    public static func fans(_ shape: [Int]) -> (fanIn: Int, fanOut: Int) {
        precondition(shape.count >= 2, "fan in and fan out need at least 2 dimensions, got \(shape)")
        let receptive = shape.dropFirst(2).reduce(1, *)
        return (shape[1] * receptive, shape[0] * receptive)
    }

    /// torch's `calculate_gain('leaky_relu', a)`: √(2 / (1 + a²)); a = 0 is ReLU's √2.
    public static func leakyReLUGain(_ a: Float) -> Float {
        (2 / (1 + a * a)).squareRoot()
    }

    /// `kaiming_normal_(w, a, mode)`: N(0, gain / √fan).
    public static func kaimingNormal(_ shape: [Int], a: Float = 0, mode: FanMode = .fanIn,
                                     rng: inout RandomGenerator) -> Tensor {
        let (fanIn, fanOut) = fans(shape)
        let fan = Float(mode == .fanIn ? fanIn : fanOut)
        return normal(shape, std: leakyReLUGain(a) / fan.squareRoot(), rng: &rng)
    }

    /// `kaiming_uniform_(w, a, mode)`: U(−b, b) with b = gain · √(3 / fan). torch's default for
    /// Conv and Linear weights is a = √5, which gives b = 1 / √fan_in.
    public static func kaimingUniform(_ shape: [Int], a: Float = 0, mode: FanMode = .fanIn,
                                      rng: inout RandomGenerator) -> Tensor {
        let (fanIn, fanOut) = fans(shape)
        let fan = Float(mode == .fanIn ? fanIn : fanOut)
        let bound = leakyReLUGain(a) * (3 / fan).squareRoot()
        return uniform(shape, low: -bound, high: bound, rng: &rng)
    }
}
