// CrossEntropyReference: softmax, its logarithm and the smoothed target distribution written out, for the CrossEntropy tests.
//   logits: (N, K)   targets: N class indices in 0..<K   probabilities: (N, K)   loss: scalar

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public enum CrossEntropyReference {
    public static func forward(_ logits: Tensor, targets: [Int], labelSmoothing: Float = 0) -> (loss: Float, probabilities: Tensor) {
        let rows = logits.shape[0], classes = logits.shape[1]
        var probabilities = Tensor(zeros: logits.shape)
        var loss = 0.0
        for n in 0..<rows {
            var largest = -Double.infinity
            for k in 0..<classes { largest = max(largest, Double(logits[n, k])) }
            var total = 0.0
            for k in 0..<classes { total += exp(Double(logits[n, k]) - largest) }
            for k in 0..<classes {
                let p = exp(Double(logits[n, k]) - largest) / total
                probabilities[n, k] = Float(p)
                let q = target(k, targets[n], classes, labelSmoothing)
                loss -= q * log(p)
            }
        }
        return (Float(loss / Double(rows)), probabilities)
    }

    public static func backward(probabilities: Tensor, targets: [Int], labelSmoothing: Float = 0, scale: Float = 1,
                                into gradLogits: inout Tensor) {
        let rows = probabilities.shape[0], classes = probabilities.shape[1]
        for n in 0..<rows {
            for k in 0..<classes {
                let q = target(k, targets[n], classes, labelSmoothing)
                gradLogits[n, k] += Float(Double(scale) * (Double(probabilities[n, k]) - q) / Double(rows))
            }
        }
    }

    /// The smoothed target distribution q: (1 − ε) on the target plus ε spread evenly over all K classes.
    private static func target(_ k: Int, _ target: Int, _ classes: Int, _ smoothing: Float) -> Double {
        let epsilon = Double(smoothing)
        return (k == target ? 1 - epsilon : 0) + epsilon / Double(classes)
    }
}
