// Initializers: seeded tensor creation with torch.nn.init's distributions (uniform, normal, kaiming).

public enum FanMode: Sendable {
    case fanIn, fanOut
}

extension Tensor {
    public static func uniform(_ shape: [Int], low: Float = 0, high: Float = 1, rng: inout RandomGenerator) -> Tensor {
        var data = [Float](repeating: 0, count: elementCount(shape))
        for i in data.indices { data[i] = rng.uniform(low, high) }
        return Tensor(shape: shape, data: data)
    }

    public static func normal(_ shape: [Int], mean: Float = 0, std: Float = 1, rng: inout RandomGenerator) -> Tensor {
        var data = [Float](repeating: 0, count: elementCount(shape))
        for i in data.indices { data[i] = mean + std * rng.normal() }
        return Tensor(shape: shape, data: data)
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
