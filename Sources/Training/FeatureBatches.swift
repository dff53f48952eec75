// FeatureBatches: a loader's batches — same items, same order, same labels — with cached features in place of images.
//   batch: (N, C, H, W) features of the N items a BatchLoader would put in that batch

import Datasets

/// Takes each epoch's order from the loader it stands in for (`BatchLoader.order(epoch:)`), so a
/// stage trained on features sees the same items in the same batches as one trained on images.
final class FeatureBatches: BatchSource {
    let loader: BatchLoader
    let features: FeatureSet

    init(_ loader: BatchLoader, features: FeatureSet) {
        precondition(loader.indices.allSatisfy(features.contains), "features missing for items of the loader")
        self.loader = loader
        self.features = features
    }

    var batchCount: Int { loader.batchCount }

    func batches(epoch: Int, from firstBatch: Int) -> any BatchStream {
        Stream(source: self, order: loader.order(epoch: epoch), next: firstBatch)
    }

    final class Stream: BatchStream {
        let source: FeatureBatches
        let order: [Int]
        var position: Int

        init(source: FeatureBatches, order: [Int], next: Int) {
            self.source = source
            self.order = order
            self.position = next
        }

        func next() throws -> Batch? {
            guard position < source.batchCount else { return nil }
            let items = Array(source.loader.items(ofBatch: position, in: order))
            position += 1
            return Batch(images: source.features.batch(items), labels: items.map { source.loader.labels[$0] },
                         indices: items)
        }
    }
}
