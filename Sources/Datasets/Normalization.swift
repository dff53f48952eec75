// Normalization: per-channel (x/255 − mean) / std turning RGB bytes into Float CHW (3, H, W).

import Tensors

public struct Normalization: Equatable, Hashable, Sendable {
    public var mean: [Float]
    public var std: [Float]

    public init(mean: [Float], std: [Float]) {
        precondition(mean.count == 3 && std.count == 3 && std.allSatisfy { $0 > 0 }, "three means and three positive stds")
        self.mean = mean
        self.std = std
    }

    /// The statistics torchvision's pretrained weights were trained with.
    public static let imagenet = Normalization(mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225])
    /// Values in [0, 1].
    public static let none = Normalization(mean: [0, 0, 0], std: [1, 1, 1])

    /// Per-channel lookup tables of 256 entries after `tone` (lighting) maps each byte's [0, 1]
    /// value: normalising through a table costs one load per sample.
    func tables(tone: (Float) -> Float = { $0 }) -> [[Float]] {
        (0..<3).map { c in (0..<256).map { (tone(Float($0) / 255) - mean[c]) / std[c] } }
    }

    /// The image as a (3, H, W) tensor.
    public func apply(_ image: RGBImage) -> Tensor {
        let plane = image.width * image.height
        let tables = tables()
        return Tensor(uninitializedShape: [3, image.height, image.width]) { out in
            for i in 0..<plane {
                for c in 0..<3 { out[c * plane + i] = tables[c][Int(image.pixels[3 * i + c])] }
            }
        }
    }
}
