// PoolWindows: the input span of every output row (or column) of a pooling, computed once per call.
//   input axis: size   output axis: count
// The optimised pooling kernels look windows up here, so their inner loops run over plain
// in-bounds ranges with no clipping, padding tests or divisions.

struct PoolWindows {
    /// First input index of window i, clipped to the input.
    var start: [Int]
    /// One past the last input index of window i, clipped to the input.
    var end: [Int]
    /// torch's avg_pool2d divisor factor with count_include_pad: the window's extent including
    /// padding, but only up to size + pad (ceil_mode's extra window does not count beyond it).
    var paddedExtent: [Int]
    /// The fixed windows' kernel, stride and padding; nil for adaptive windows.
    var fixed: (kernel: Int, stride: Int, pad: Int)?

    var count: Int { start.count }

    /// Fixed-size windows of `kernel` every `stride`, over the input padded by `pad` on each side.
    init(size: Int, count: Int, kernel: Int, stride: Int, pad: Int) {
        start = []
        end = []
        paddedExtent = []
        start.reserveCapacity(count)
        end.reserveCapacity(count)
        paddedExtent.reserveCapacity(count)
        fixed = (kernel, stride, pad)
        for i in 0..<count {
            let first = i * stride - pad
            let last = min(first + kernel, size + pad)
            paddedExtent.append(last - first)
            start.append(max(first, 0))
            end.append(min(last, size))
        }
    }

    /// torch's adaptive windows: [⌊i·size/count⌋, ⌈(i+1)·size/count⌉).
    init(adaptiveSize size: Int, count: Int) {
        start = []
        end = []
        start.reserveCapacity(count)
        end.reserveCapacity(count)
        for i in 0..<count {
            start.append(i * size / count)
            end.append(((i + 1) * size + count - 1) / count)
        }
        paddedExtent = zip(start, end).map { $1 - $0 }
    }

    /// Planes per parallel task: enough that a task reads about 8k values.
    static func grain(plane: Int) -> Int {
        max(1, 8192 / max(1, plane))
    }
}
