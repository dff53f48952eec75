// Batch: N images as a (N, 3, S, S) Float tensor with their N class indices and item indices.

import Tensors

public struct Batch: Equatable, Sendable {
    public var images: Tensor
    public var labels: [Int]
    /// Positions of the items in the loader's source, for logging and debugging.
    public var indices: [Int]

    public init(images: Tensor, labels: [Int], indices: [Int]) {
        self.images = images
        self.labels = labels
        self.indices = indices
    }
}
