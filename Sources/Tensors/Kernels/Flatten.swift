// Flatten: fastai's Flatten, `x.view(x.size(0), -1)`, forward and backward.
//   input: (N, d1, d2, …)   output: (N, d1·d2·…)
// Tensors are contiguous, so both directions keep the values in place and change only the shape.

public enum Flatten {
    public static func forward(_ x: Tensor) -> Tensor {
        precondition(x.rank >= 1, "flatten needs a batch dimension")
        return x.reshaped(outputShape(x.shape))
    }

    /// gradInput += gradOutput viewed in the input's shape.
    public static func backward(_ gradOutput: Tensor, inputShape: [Int], into gradInput: inout Tensor) {
        precondition(gradInput.shape == inputShape && gradOutput.shape == outputShape(inputShape),
                     "flatten backward shapes \(gradOutput.shape), \(gradInput.shape), \(inputShape)")
        gradInput.add(gradOutput.reshaped(inputShape))
    }

    public static func outputShape(_ inputShape: [Int]) -> [Int] {
        precondition(inputShape.count >= 1, "flatten needs a batch dimension")
        return [inputShape[0], inputShape.dropFirst().reduce(1, *)]
    }
}
