// ActivationsReference: ReLU and ReLU6 as plain loops, for the activation tests.
//   input: any shape   output: the same shape

public enum ReLUReference {
    public static func forward(_ x: Tensor) -> Tensor {
        var output = x
        for i in 0..<x.count where x.data[i] < 0 { output.data[i] = 0 }
        return output
    }

    public static func backward(_ gradOutput: Tensor, output: Tensor, into gradInput: inout Tensor) {
        for i in 0..<gradOutput.count where output.data[i] > 0 { gradInput.data[i] += gradOutput.data[i] }
    }
}

public enum ReLU6Reference {
    public static func forward(_ x: Tensor) -> Tensor {
        var output = x
        for i in 0..<x.count {
            if x.data[i] < 0 { output.data[i] = 0 }
            if x.data[i] > 6 { output.data[i] = 6 }
        }
        return output
    }

    public static func backward(_ gradOutput: Tensor, input: Tensor, into gradInput: inout Tensor) {
        for i in 0..<gradOutput.count where input.data[i] > 0 && input.data[i] < 6 {
            gradInput.data[i] += gradOutput.data[i]
        }
    }
}
