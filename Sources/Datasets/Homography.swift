// Homography: a 3×3 projective map of 2-D points (row-major), in the [-1, 1] normalised coordinates fastai's affine transforms use.

import Foundation

public struct Homography: Equatable, Sendable {
    /// Row-major m[0]…m[8]; maps (x, y, 1) to (x', y', w') and divides by w'.
    public var m: [Double]

    public init(_ m: [Double]) {
        precondition(m.count == 9, "a homography has 9 entries")
        self.m = m
    }

    public static let identity = Homography([1, 0, 0, 0, 1, 0, 0, 0, 1])

    /// Mirror left–right.
    public static let flipHorizontal = Homography([-1, 0, 0, 0, 1, 0, 0, 0, 1])

    /// Rotation by `degrees`; used as the map from output to source coordinates (y pointing
    /// down), a positive angle turns the picture counter-clockwise on screen.
    public static func rotation(degrees: Double) -> Homography {
        let a = degrees * Double.pi / 180
        let c = Foundation.cos(a), s = Foundation.sin(a)
        return Homography([c, -s, 0, s, c, 0, 0, 0, 1])
    }

    /// fastai's `zoom`: magnify by `scale` about a point chosen by `rowFraction`/`colFraction` in [0, 1].
    public static func zoom(scale: Double, rowFraction: Double = 0.5, colFraction: Double = 0.5) -> Homography {
        let s = 1 / scale
        return Homography([s, 0, (1 - s) * (2 * colFraction - 1), 0, s, (1 - s) * (2 * rowFraction - 1), 0, 0, 1])
    }

    /// fastai's `symmetric_warp`: the perspective map taking the square's corners
    /// (-1,-1), (-1,1), (1,-1), (1,1) to corners pushed in or out by the four `magnitudes`.
    public static func symmetricWarp(_ magnitudes: [Double]) -> Homography {
        precondition(magnitudes.count == 4)
        let m = magnitudes
        let source: [(Double, Double)] = [(-1, -1), (-1, 1), (1, -1), (1, 1)]
        let target: [(Double, Double)] = [(-1 - m[3], -1 - m[1]), (-1 - m[2], 1 + m[1]), (1 + m[3], -1 - m[0]), (1 + m[2], 1 + m[0])]
        return perspective(from: source, to: target) ?? .identity
    }

    /// The homography taking four points to four points (nil if they are degenerate).
    public static func perspective(from source: [(Double, Double)], to target: [(Double, Double)]) -> Homography? {
        // Eight equations in h0…h7 with h8 = 1.
        var a = [[Double]](repeating: [Double](repeating: 0, count: 9), count: 8)
        for i in 0..<4 {
            let (x, y) = source[i], (u, v) = target[i]
            a[2 * i] = [x, y, 1, 0, 0, 0, -u * x, -u * y, u]
            a[2 * i + 1] = [0, 0, 0, x, y, 1, -v * x, -v * y, v]
        }
        for column in 0..<8 {
            guard let pivot = (column..<8).max(by: { abs(a[$0][column]) < abs(a[$1][column]) }),
                  abs(a[pivot][column]) > 1e-12 else { return nil }
            a.swapAt(column, pivot)
            for row in 0..<8 where row != column {
                let f = a[row][column] / a[column][column]
                if f != 0 { for k in column..<9 { a[row][k] -= f * a[column][k] } }
            }
        }
        return Homography((0..<8).map { a[$0][8] / a[$0][$0] } + [1])
    }

    /// `self ∘ other`: apply `other` first.
    public func after(_ other: Homography) -> Homography {
        var r = [Double](repeating: 0, count: 9)
        for i in 0..<3 { for j in 0..<3 { for k in 0..<3 { r[3 * i + j] += m[3 * i + k] * other.m[3 * k + j] } } }
        return Homography(r)
    }

    public func apply(_ x: Double, _ y: Double) -> (Double, Double) {
        let w = m[6] * x + m[7] * y + m[8]
        return ((m[0] * x + m[1] * y + m[2]) / w, (m[3] * x + m[4] * y + m[5]) / w)
    }
}
