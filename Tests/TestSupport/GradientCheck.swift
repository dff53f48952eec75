// GradientCheck: central finite differences and closeness assertions shared by the test targets.

import Tensors
import XCTest

/// ∂L/∂x by central differences, where `loss` is evaluated in Double around Float32 perturbations.
public func numericalGradient(at x: Tensor, eps: Float = 1e-2, loss: (Tensor) -> Double) -> Tensor {
    var probe = x
    var gradient = Tensor(zeros: x.shape)
    for i in 0..<x.count {
        let original = probe.data[i]
        probe.data[i] = original + eps
        let plus = loss(probe)
        probe.data[i] = original - eps
        let minus = loss(probe)
        probe.data[i] = original
        gradient.data[i] = Float((plus - minus) / (2 * Double(eps)))
    }
    return gradient
}

/// A fixed random direction r, so that L = Σ f(x) · r exercises every output element.
public func lossWeights(_ shape: [Int], seed: UInt64 = 99) -> Tensor {
    var rng = RandomGenerator(seed: seed, purpose: "loss-weights")
    return Tensor.normal(shape, rng: &rng)
}

public func randomTensor(_ shape: [Int], seed: UInt64, low: Float = -1, high: Float = 1) -> Tensor {
    var rng = RandomGenerator(seed: seed, purpose: "test-input")
    return Tensor.uniform(shape, low: low, high: high, rng: &rng)
}

/// Asserts |a − b| ≤ atol + rtol · max(|a|, |b|) elementwise, reporting the worst element.
public func assertClose(_ actual: Tensor, _ expected: Tensor, rtol: Float = 1e-4, atol: Float = 1e-5,
                 _ message: @autoclosure () -> String = "", file: StaticString = #filePath, line: UInt = #line) {
    guard actual.shape == expected.shape else {
        XCTFail("shape \(actual.shape) vs expected \(expected.shape) \(message())", file: file, line: line)
        return
    }
    var worst: (index: Int, excess: Float) = (-1, 0)
    for i in 0..<actual.count {
        let a = actual.data[i], b = expected.data[i]
        let allowed = atol + rtol * max(abs(a), abs(b))
        let excess = abs(a - b) - allowed
        if !(excess <= 0) && (worst.index < 0 || excess > worst.excess || excess.isNaN) { worst = (i, excess) }
    }
    if worst.index >= 0 {
        let i = worst.index
        XCTFail("element \(i) of \(actual.shape): \(actual.data[i]) vs \(expected.data[i]) "
                + "(max abs diff \(actual.maxAbsDifference(expected))) \(message())", file: file, line: line)
    }
}

/// A random permutation of 0.1·k (centred on 0): values are spaced far wider than the ±1e-2
/// finite-difference step, so a max pool's argmax does not flip while its gradient is probed.
public func distinctTensor(_ shape: [Int], seed: UInt64) -> Tensor {
    var rng = RandomGenerator(seed: seed, purpose: "distinct-input")
    let count = Tensor.elementCount(shape)
    var values = (0..<count).map { Float($0 - count / 2) * 0.1 }
    values.shuffle(using: &rng)
    return Tensor(shape: shape, data: values)
}

/// Exact equality that counts NaN as equal to NaN, for kernels that must propagate it.
public func assertIdentical(_ actual: Tensor, _ expected: Tensor, _ message: @autoclosure () -> String = "",
                     file: StaticString = #filePath, line: UInt = #line) {
    guard actual.shape == expected.shape else {
        XCTFail("shape \(actual.shape) vs expected \(expected.shape) \(message())", file: file, line: line)
        return
    }
    for i in 0..<actual.count {
        let a = actual.data[i], b = expected.data[i]
        if !(a == b || (a.isNaN && b.isNaN)) {
            XCTFail("element \(i) of \(actual.shape): \(a) vs \(b) \(message())", file: file, line: line)
            return
        }
    }
}

/// A random input with NaN and ±∞ sprinkled in, for the NaN-propagation paths of the max pools.
public func tensorWithNaN(_ shape: [Int], seed: UInt64) -> Tensor {
    var x = randomTensor(shape, seed: seed)
    for i in stride(from: Int(seed % 5), to: x.count, by: 11) { x.data[i] = .nan }
    for i in stride(from: 3, to: x.count, by: 17) { x.data[i] = i % 2 == 0 ? .infinity : -.infinity }
    return x
}
