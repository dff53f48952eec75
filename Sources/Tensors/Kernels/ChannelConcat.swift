// ChannelConcat: concatenation along dimension 1 (channels), forward and backward.
//   parts: (N, C_i, H, W) or (N, C_i)   output: (N, Σ C_i, H, W) or (N, Σ C_i)
// In row-major NCHW each (image, part) is one contiguous run of C_i · H · W values, so both
// directions are block copies.

public enum ChannelConcat {
    public static func forward(_ parts: [Tensor]) -> Tensor {
        precondition(!parts.isEmpty, "channel concat needs at least one part")
        let first = parts[0].shape
        precondition(first.count >= 2, "channel concat parts must be (N, C, …), got \(first)")
        for part in parts {
            precondition(part.rank == first.count && part.shape[0] == first[0]
                         && Array(part.shape.dropFirst(2)) == Array(first.dropFirst(2)),
                         "channel concat part \(part.shape) does not match \(first) outside dimension 1")
        }
        let batch = first[0], plane = first.dropFirst(2).reduce(1, *)
        let channelCounts = parts.map { $0.shape[1] }
        let offsets = startOffsets(channelCounts)
        let total = channelCounts.reduce(0, +)
        var outputShape = first
        outputShape[1] = total
        var output = Tensor(zeros: outputShape)
        output.withUnsafeMutablePointer { y in
            Parallel.forEach(batch * parts.count, grain: max(1, 16_384 / max(1, plane * total / parts.count))) { range in
                for task in range {
                    let n = task / parts.count, p = task % parts.count
                    let run = channelCounts[p] * plane
                    parts[p].withUnsafePointer { x in
                        (y + (n * total + offsets[p]) * plane).update(from: x + n * run, count: run)
                    }
                }
            }
        }
        return output
    }

    /// gradInput += the channels of `part` in gradOutput, where the parts had `channelCounts` channels.
    public static func backward(_ gradOutput: Tensor, part: Int, channelCounts: [Int], into gradInput: inout Tensor) {
        precondition(channelCounts.indices.contains(part), "part \(part) outside \(channelCounts.count) parts")
        let total = channelCounts.reduce(0, +)
        precondition(gradOutput.rank >= 2 && gradOutput.shape[1] == total,
                     "channel concat gradOutput \(gradOutput.shape) does not have \(total) channels")
        var expected = gradOutput.shape
        expected[1] = channelCounts[part]
        precondition(gradInput.shape == expected, "channel concat gradInput \(gradInput.shape), expected \(expected)")
        let batch = gradOutput.shape[0], plane = gradOutput.shape.dropFirst(2).reduce(1, *)
        let offset = startOffsets(channelCounts)[part]
        let run = channelCounts[part] * plane
        gradOutput.withUnsafePointer { dy in
            gradInput.withUnsafeMutablePointer { dx in
                Parallel.forEach(batch, grain: max(1, 16_384 / max(1, run))) { range in
                    for n in range {
                        let source = dy + (n * total + offset) * plane, destination = dx + n * run
                        for i in 0..<run { destination[i] += source[i] }
                    }
                }
            }
        }
    }

    /// The first channel of each part in the concatenation.
    private static func startOffsets(_ channelCounts: [Int]) -> [Int] {
        var offsets = [Int](), running = 0
        for count in channelCounts {
            offsets.append(running)
            running += count
        }
        return offsets
    }
}
