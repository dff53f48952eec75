// Activations: ReLU and ReLU6, elementwise, forward and backward.
//   input: any shape   output: the same shape
// NaN passes through both forwards (as in torch) so that a diverging run shows up in the loss.

public enum ReLU {
    public static func forward(_ x: Tensor) -> Tensor {
        Elementwise.map(x) { $0.replacing(with: 0, where: $0 .< 0) }
    }

    /// gradInput += gradOutput where output > 0; the output alone decides, so the input need not be kept.
    public static func backward(_ gradOutput: Tensor, output: Tensor, into gradInput: inout Tensor) {
        Elementwise.accumulate(gradOutput, output, into: &gradInput, "relu") { dy, y in
            dy.replacing(with: 0, where: .!(y .> 0))
        }
    }
}

public enum ReLU6 {
    public static func forward(_ x: Tensor) -> Tensor {
        Elementwise.map(x) { $0.replacing(with: 0, where: $0 .< 0).replacing(with: 6, where: $0 .> 6) }
    }

    /// gradInput += gradOutput where 0 < input < 6 (torch's hardtanh backward: zero at both kinks).
    public static func backward(_ gradOutput: Tensor, input: Tensor, into gradInput: inout Tensor) {
        Elementwise.accumulate(gradOutput, input, into: &gradInput, "relu6") { dy, x in
            dy.replacing(with: 0, where: .!(x .> 0 .& x .< 6))
        }
    }
}
