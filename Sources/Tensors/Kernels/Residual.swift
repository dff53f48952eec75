// Residual: the sum of a block's output and its shortcut, forward and backward.
//   a, b: the same shape   output: that shape
// Both branches receive the output gradient unchanged, so one backward serves both.

public enum Residual {
    public static func forward(_ a: Tensor, _ b: Tensor) -> Tensor {
        Elementwise.map(a, b, "residual") { $0 + $1 }
    }

    /// gradInput += gradOutput, for either branch.
    public static func backward(_ gradOutput: Tensor, into gradInput: inout Tensor) {
        precondition(gradInput.shape == gradOutput.shape,
                     "residual gradInput \(gradInput.shape) vs gradOutput \(gradOutput.shape)")
        gradInput.add(gradOutput)
    }
}
