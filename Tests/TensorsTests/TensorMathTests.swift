// TensorMathTests: whole-tensor queries — the vectorised finiteness check against the scalar definition.

import Tensors
import XCTest

final class TensorMathTests: XCTestCase {
    func testIsFiniteFindsEveryNonFiniteValueWhereverItIs() {
        for count in [0, 1, 15, 16, 17, 1000] {
            let finite = Tensor(shape: [count], data: (0..<count).map { (Float($0 % 7) - 3) * 1e38 })
            XCTAssertTrue(finite.isFinite, "\(count) finite values, the largest near Float's limit")
            for position in Set([0, count / 2, count - 1]) where count > 0 {
                for bad in [Float.nan, .infinity, -.infinity] {
                    var values = finite.data
                    values[position] = bad
                    XCTAssertFalse(Tensor(shape: [count], data: values).isFinite, "\(bad) at \(position) of \(count)")
                }
            }
        }
    }
}
