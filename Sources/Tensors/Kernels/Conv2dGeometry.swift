// Conv2dGeometry: the sizes of one 2-D convolution — input (N, C, H, W), weight (O, C/groups, KH, KW).

public struct Conv2dGeometry: Equatable, Sendable, CustomStringConvertible {
    public var batch: Int
    public var inChannels: Int
    public var height: Int
    public var width: Int
    public var outChannels: Int
    public var kernelHeight: Int
    public var kernelWidth: Int
    public var strideHeight: Int
    public var strideWidth: Int
    public var padHeight: Int
    public var padWidth: Int
    public var groups: Int

    public init(batch: Int, inChannels: Int, height: Int, width: Int, outChannels: Int,
                kernel: (Int, Int), stride: (Int, Int) = (1, 1), padding: (Int, Int) = (0, 0), groups: Int = 1) {
        precondition(groups >= 1 && inChannels % groups == 0 && outChannels % groups == 0,
                     "channels \(inChannels)→\(outChannels) not divisible by groups \(groups)")
        precondition(stride.0 >= 1 && stride.1 >= 1 && padding.0 >= 0 && padding.1 >= 0, "bad stride or padding")
        self.batch = batch
        self.inChannels = inChannels
        self.height = height
        self.width = width
        self.outChannels = outChannels
        (kernelHeight, kernelWidth) = kernel
        (strideHeight, strideWidth) = stride
        (padHeight, padWidth) = padding
        self.groups = groups
        precondition(outHeight >= 1 && outWidth >= 1,
                     "kernel \(kernel) larger than padded input \(height)×\(width)")
    }

    /// Geometry from an input shape (N, C, H, W) and a weight shape (O, C/groups, KH, KW).
    public init(input: [Int], weight: [Int], stride: (Int, Int) = (1, 1), padding: (Int, Int) = (0, 0),
                groups: Int = 1) {
        precondition(input.count == 4 && weight.count == 4, "conv2d needs 4-D input and weight, got \(input), \(weight)")
        precondition(weight[1] * groups == input[1],
                     "weight \(weight) with groups \(groups) does not take \(input[1]) input channels")
        self.init(batch: input[0], inChannels: input[1], height: input[2], width: input[3], outChannels: weight[0],
                  kernel: (weight[2], weight[3]), stride: stride, padding: padding, groups: groups)
    }

    public var outHeight: Int { (height + 2 * padHeight - kernelHeight) / strideHeight + 1 }
    public var outWidth: Int { (width + 2 * padWidth - kernelWidth) / strideWidth + 1 }
    public var inPerGroup: Int { inChannels / groups }
    public var outPerGroup: Int { outChannels / groups }
    /// Rows of one group's im2col matrix: (C/groups) · KH · KW.
    public var patchSize: Int { inPerGroup * kernelHeight * kernelWidth }
    public var inputPlane: Int { height * width }
    public var outputPlane: Int { outHeight * outWidth }

    public var inputShape: [Int] { [batch, inChannels, height, width] }
    public var weightShape: [Int] { [outChannels, inPerGroup, kernelHeight, kernelWidth] }
    public var outputShape: [Int] { [batch, outChannels, outHeight, outWidth] }

    /// A 1×1, stride-1, unpadded convolution is a plain matrix product on the input planes.
    public var isPointwise: Bool {
        kernelHeight == 1 && kernelWidth == 1 && strideHeight == 1 && strideWidth == 1
            && padHeight == 0 && padWidth == 0
    }

    /// Multiply-adds × 2 of the forward pass (the same for each backward product).
    public var flops: Double {
        2 * Double(batch) * Double(outChannels) * Double(outputPlane) * Double(patchSize)
    }

    public var description: String {
        "\(batch)x\(inChannels)x\(height)x\(width) -> \(outChannels) k\(kernelHeight)x\(kernelWidth)"
            + " s\(strideHeight) p\(padHeight)" + (groups > 1 ? " g\(groups)" : "")
    }
}
