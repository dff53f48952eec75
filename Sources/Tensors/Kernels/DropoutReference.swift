// DropoutReference: applying a dropout mask as plain loops, for the Dropout tests.
//   input: any shape   mask: the same shape   output: the same shape

public enum DropoutReference {
    public static func forward(_ x: Tensor, mask: Tensor) -> Tensor {
        var output = x
        for i in 0..<x.count { output.data[i] = x.data[i] * mask.data[i] }
        return output
    }

    public static func backward(_ gradOutput: Tensor, mask: Tensor, into gradInput: inout Tensor) {
        for i in 0..<gradOutput.count { gradInput.data[i] += gradOutput.data[i] * mask.data[i] }
    }
}
