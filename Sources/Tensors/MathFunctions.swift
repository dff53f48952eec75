// MathFunctions: libm entry points under names that do not clash with Swift's generic math.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@inline(__always) func logDouble(_ x: Double) -> Double { log(x) }
@inline(__always) func sinDouble(_ x: Double) -> Double { sin(x) }
@inline(__always) func cosDouble(_ x: Double) -> Double { cos(x) }
@inline(__always) public func expFloat(_ x: Float) -> Float { expf(x) }
@inline(__always) public func logFloat(_ x: Float) -> Float { logf(x) }
