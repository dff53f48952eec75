// CrossEntropy: softmax cross-entropy with mean reduction and torch's label smoothing, forward and backward.
//   logits: (N, K)   targets: N class indices in 0..<K   probabilities: (N, K)   loss: scalar
// Each row is shifted by its maximum and summed in Double, so large logits neither overflow
// nor lose the small probabilities.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public enum CrossEntropy {
    /// loss = mean over rows of (1 − ε) · (−log p_target) + ε · mean_k(−log p_k).
    public static func forward(_ logits: Tensor, targets: [Int], labelSmoothing: Float = 0) -> (loss: Float, probabilities: Tensor) {
        let (rows, classes) = check(logits.shape, targets: targets, labelSmoothing: labelSmoothing)
        let epsilon = Double(labelSmoothing)
        var probabilities = Tensor(zeros: logits.shape)
        var rowLosses = [Double](repeating: 0, count: rows)
        logits.withUnsafePointer { x in
            probabilities.withUnsafeMutablePointer { p in
                rowLosses.withUnsafeMutableBufferPointer { losses in
                    Parallel.forEach(rows, grain: max(1, 4096 / classes)) { range in
                        for n in range {
                            let row = x + n * classes, out = p + n * classes
                            var largest = -Float.infinity
                            for k in 0..<classes { largest = max(largest, row[k]) }
                            var total = 0.0
                            for k in 0..<classes { total += exp(Double(row[k] - largest)) }
                            let logTotal = log(total)
                            var sumLogP = 0.0
                            for k in 0..<classes {
                                let logP = Double(row[k] - largest) - logTotal
                                sumLogP += logP
                                out[k] = Float(exp(logP))
                            }
                            let targetLogP = Double(row[targets[n]] - largest) - logTotal
                            losses[n] = -(1 - epsilon) * targetLogP - epsilon * sumLogP / Double(classes)
                        }
                    }
                }
            }
        }
        // Summed in row order after the parallel loop, so the loss does not depend on the thread count.
        let loss = rowLosses.reduce(0, +) / Double(rows)
        return (Float(loss), probabilities)
    }

    /// gradLogits += scale · (p − q) / N with q = (1 − ε) · onehot(target) + ε / K.
    public static func backward(probabilities: Tensor, targets: [Int], labelSmoothing: Float = 0, scale: Float = 1,
                                into gradLogits: inout Tensor) {
        let (rows, classes) = check(probabilities.shape, targets: targets, labelSmoothing: labelSmoothing)
        precondition(gradLogits.shape == probabilities.shape,
                     "cross-entropy gradLogits \(gradLogits.shape) vs probabilities \(probabilities.shape)")
        let factor = scale / Float(rows)
        let offTarget = labelSmoothing / Float(classes)
        let onTarget = 1 - labelSmoothing + offTarget
        probabilities.withUnsafePointer { p in
            gradLogits.withUnsafeMutablePointer { g in
                Parallel.forEach(rows, grain: max(1, 16_384 / classes)) { range in
                    for n in range {
                        let row = p + n * classes, out = g + n * classes
                        for k in 0..<classes {
                            let q = k == targets[n] ? onTarget : offTarget
                            out[k] += factor * (row[k] - q)
                        }
                    }
                }
            }
        }
    }

    private static func check(_ shape: [Int], targets: [Int], labelSmoothing: Float) -> (rows: Int, classes: Int) {
        precondition(shape.count == 2 && shape[0] > 0 && shape[1] > 0, "cross-entropy logits must be (N, K), got \(shape)")
        precondition(targets.count == shape[0], "\(targets.count) targets for \(shape[0]) rows")
        precondition(targets.allSatisfy { $0 >= 0 && $0 < shape[1] }, "cross-entropy targets must lie in 0..<\(shape[1])")
        precondition(labelSmoothing >= 0 && labelSmoothing <= 1, "label smoothing must be in [0, 1], got \(labelSmoothing)")
        return (shape[0], shape[1])
    }
}
