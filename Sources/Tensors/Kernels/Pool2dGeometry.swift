// Pool2dGeometry: the sizes of one 2-D max or average pooling, with torch's output-size rules.
//   input: (N, C, H, W)   output: (N, C, OH, OW)

public struct Pool2dGeometry: Equatable, Sendable, CustomStringConvertible {
    public var batch: Int
    public var channels: Int
    public var height: Int
    public var width: Int
    public var kernelHeight: Int
    public var kernelWidth: Int
    public var strideHeight: Int
    public var strideWidth: Int
    public var padHeight: Int
    public var padWidth: Int
    public var ceilMode: Bool

    /// `stride` defaults to the kernel size, as in `nn.MaxPool2d` and `nn.AvgPool2d`.
    public init(input: [Int], kernel: (Int, Int), stride: (Int, Int)? = nil, padding: (Int, Int) = (0, 0),
                ceilMode: Bool = false) {
        precondition(input.count == 4, "2-D pooling needs a 4-D input (N, C, H, W), got \(input)")
        precondition(input.allSatisfy { $0 >= 0 } && input[2] >= 1 && input[3] >= 1,
                     "2-D pooling needs a non-empty input plane, got \(input)")
        let stride = stride ?? kernel
        precondition(kernel.0 >= 1 && kernel.1 >= 1 && stride.0 >= 1 && stride.1 >= 1,
                     "pooling kernel \(kernel) and stride \(stride) must be positive")
        // torch refuses larger padding: a window could then lie entirely in the padding.
        precondition(padding.0 >= 0 && padding.1 >= 0 && padding.0 <= kernel.0 / 2 && padding.1 <= kernel.1 / 2,
                     "pooling padding \(padding) must be at most half of kernel \(kernel)")
        batch = input[0]
        channels = input[1]
        height = input[2]
        width = input[3]
        (kernelHeight, kernelWidth) = kernel
        (strideHeight, strideWidth) = stride
        (padHeight, padWidth) = padding
        self.ceilMode = ceilMode
        precondition(outHeight >= 1 && outWidth >= 1,
                     "pooling kernel \(kernel) larger than padded input \(height)×\(width)")
    }

    public var outHeight: Int {
        Pool2dGeometry.outputSize(height, kernel: kernelHeight, stride: strideHeight, pad: padHeight, ceilMode: ceilMode)
    }

    public var outWidth: Int {
        Pool2dGeometry.outputSize(width, kernel: kernelWidth, stride: strideWidth, pad: padWidth, ceilMode: ceilMode)
    }

    public var inputPlane: Int { height * width }
    public var outputPlane: Int { outHeight * outWidth }
    public var planes: Int { batch * channels }
    public var inputShape: [Int] { [batch, channels, height, width] }
    public var outputShape: [Int] { [batch, channels, outHeight, outWidth] }

    /// torch's `pooling_output_shape` without dilation.
    public static func outputSize(_ size: Int, kernel: Int, stride: Int, pad: Int, ceilMode: Bool) -> Int {
        let span = size + 2 * pad - kernel + (ceilMode ? stride - 1 : 0)
        // Floor division, so that a kernel larger than the padded input gives a size below 1.
        var result = (span >= 0 ? span / stride : -((-span + stride - 1) / stride)) + 1
        // ceil_mode may not add a window that would start in the right padding.
        if ceilMode && (result - 1) * stride >= size + pad { result -= 1 }
        return result
    }

    public var description: String {
        "\(batch)x\(channels)x\(height)x\(width) k\(kernelHeight)x\(kernelWidth) s\(strideHeight)x\(strideWidth)"
            + " p\(padHeight)x\(padWidth)" + (ceilMode ? " ceil" : "")
    }
}
