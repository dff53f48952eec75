// LinearReference: the fully connected layer as triple loops, for the Linear tests.
//   input: (N, in)   weight: (out, in)   bias: (out)   output: (N, out)

public enum LinearReference {
    public static func forward(_ x: Tensor, weight: Tensor, bias: Tensor?) -> Tensor {
        let batch = x.shape[0], inFeatures = x.shape[1], outFeatures = weight.shape[0]
        var output = Tensor(zeros: [batch, outFeatures])
        for n in 0..<batch {
            for o in 0..<outFeatures {
                var total = Double(bias?.data[o] ?? 0)
                for i in 0..<inFeatures { total += Double(x[n, i]) * Double(weight[o, i]) }
                output[n, o] = Float(total)
            }
        }
        return output
    }

    public static func backwardInput(_ gradOutput: Tensor, weight: Tensor, into gradInput: inout Tensor) {
        for n in 0..<gradOutput.shape[0] { for o in 0..<weight.shape[0] { for i in 0..<weight.shape[1] {
            gradInput[n, i] += gradOutput[n, o] * weight[o, i]
        } } }
    }

    public static func backwardWeight(_ gradOutput: Tensor, input: Tensor, into gradWeight: inout Tensor) {
        for n in 0..<input.shape[0] { for o in 0..<gradWeight.shape[0] { for i in 0..<input.shape[1] {
            gradWeight[o, i] += gradOutput[n, o] * input[n, i]
        } } }
    }

    public static func backwardBias(_ gradOutput: Tensor, into gradBias: inout Tensor) {
        for n in 0..<gradOutput.shape[0] { for o in 0..<gradOutput.shape[1] {
            gradBias[o] += gradOutput[n, o]
        } }
    }
}
