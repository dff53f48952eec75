// Linear: the fully connected layer y = x · Wᵀ + b by sgemm, forward and backward (input, weight, bias).
//   input: (N, in)   weight: (out, in)   bias: (out)   output: (N, out)
// The weight keeps torch's (out, in) layout so that state dicts load without transposing.

public enum Linear {
    public static func forward(_ x: Tensor, weight: Tensor, bias: Tensor?) -> Tensor {
        let (batch, inFeatures, outFeatures) = dimensions(x, weight)
        precondition(bias == nil || bias?.shape == [outFeatures], "linear bias must have \(outFeatures) values")
        var output = Tensor(zeros: [batch, outFeatures])
        // Start from the bias in every row so that one GEMM with beta 1 adds the product to it.
        if let bias {
            output.withUnsafeMutablePointer { y in
                bias.withUnsafePointer { b in
                    for n in 0..<batch { (y + n * outFeatures).update(from: b, count: outFeatures) }
                }
            }
        }
        x.withUnsafePointer { a in
            weight.withUnsafePointer { w in
                output.withUnsafeMutablePointer { y in
                    BLAS.sgemm(transB: true, m: batch, n: outFeatures, k: inFeatures, a: a, lda: inFeatures,
                               b: w, ldb: inFeatures, beta: bias == nil ? 0 : 1, c: y, ldc: outFeatures)
                }
            }
        }
        return output
    }

    /// gradInput += gradOutput · W.
    public static func backwardInput(_ gradOutput: Tensor, weight: Tensor, into gradInput: inout Tensor) {
        let (batch, inFeatures, outFeatures) = dimensions(gradInput, weight)
        precondition(gradOutput.shape == [batch, outFeatures], "linear gradOutput \(gradOutput.shape), expected \([batch, outFeatures])")
        gradOutput.withUnsafePointer { dy in
            weight.withUnsafePointer { w in
                gradInput.withUnsafeMutablePointer { dx in
                    BLAS.sgemm(m: batch, n: inFeatures, k: outFeatures, a: dy, lda: outFeatures,
                               b: w, ldb: inFeatures, beta: 1, c: dx, ldc: inFeatures)
                }
            }
        }
    }

    /// gradWeight += gradOutputᵀ · input.
    public static func backwardWeight(_ gradOutput: Tensor, input: Tensor, into gradWeight: inout Tensor) {
        let (batch, inFeatures, outFeatures) = dimensions(input, gradWeight)
        precondition(gradOutput.shape == [batch, outFeatures], "linear gradOutput \(gradOutput.shape), expected \([batch, outFeatures])")
        gradOutput.withUnsafePointer { dy in
            input.withUnsafePointer { x in
                gradWeight.withUnsafeMutablePointer { dw in
                    BLAS.sgemm(transA: true, m: outFeatures, n: inFeatures, k: batch, a: dy, lda: outFeatures,
                               b: x, ldb: inFeatures, beta: 1, c: dw, ldc: inFeatures)
                }
            }
        }
    }

    /// gradBias += Σ over the batch of gradOutput.
    public static func backwardBias(_ gradOutput: Tensor, into gradBias: inout Tensor) {
        precondition(gradOutput.rank == 2 && gradBias.shape == [gradOutput.shape[1]],
                     "linear gradBias \(gradBias.shape) does not match gradOutput \(gradOutput.shape)")
        channelSums(gradOutput, channels: gradOutput.shape[1], plane: 1, into: &gradBias)
    }

    private static func dimensions(_ x: Tensor, _ weight: Tensor) -> (batch: Int, inFeatures: Int, outFeatures: Int) {
        precondition(x.rank == 2, "linear input must be (N, in), got \(x.shape)")
        precondition(weight.rank == 2 && weight.shape[1] == x.shape[1],
                     "linear weight \(weight.shape) does not match input \(x.shape)")
        return (x.shape[0], x.shape[1], weight.shape[0])
    }
}
