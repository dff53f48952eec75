// Dropout: inverted dropout with an explicit mask, forward and backward.
//   input: any shape   mask: the same shape, each value 0 or 1/(1−p)   output: the same shape
// The mask is drawn by the caller's generator in index order (never in parallel), so a seed
// gives the same mask whatever the thread count; forward and backward then reuse it.

public enum Dropout {
    /// Each value is kept with probability 1 − p and then scaled by 1/(1 − p), as in torch.
    public static func mask(shape: [Int], p: Float, rng: inout RandomGenerator) -> Tensor {
        precondition(p >= 0 && p <= 1, "dropout probability must be in [0, 1], got \(p)")
        // The two ends draw nothing, so adding a p = 0 layer leaves the stream where it was.
        if p == 0 { return Tensor(repeating: 1, shape: shape) }
        if p == 1 { return Tensor(zeros: shape) }
        let scale = 1 / (1 - p)
        var mask = Tensor(zeros: shape)
        for i in 0..<mask.count where rng.nextUnitFloat() >= p { mask.data[i] = scale }
        return mask
    }

    public static func forward(_ x: Tensor, mask: Tensor) -> Tensor {
        Elementwise.map(x, mask, "dropout") { $0 * $1 }
    }

    /// gradInput += gradOutput · mask.
    public static func backward(_ gradOutput: Tensor, mask: Tensor, into gradInput: inout Tensor) {
        Elementwise.accumulate(gradOutput, mask, into: &gradInput, "dropout") { $0 * $1 }
    }
}
