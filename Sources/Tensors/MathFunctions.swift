// MathFunctions: libm entry points under names that do not clash with Swift's generic math.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@inline(__always) func sinFloat(_ x: Float) -> Float { sinf(x) }
@inline(__always) func cosFloat(_ x: Float) -> Float { cosf(x) }
@inline(__always) public func expFloat(_ x: Float) -> Float { expf(x) }
@inline(__always) public func logFloat(_ x: Float) -> Float { logf(x) }
