// DataBenchmark: decoded + augmented images per second at a given size, cold (decode every epoch) and through the decode cache.

import Foundation
import Tensors

public struct DataBenchmarkResult: Sendable {
    public var size: Int
    public var threads: Int
    public var cache: Bool
    public var imagesPerSecond: Double
}

public enum DataBenchmark {
    /// Writes `images` generated JPEGs of `width` × `height` into a temporary folder, then times
    /// full training epochs (decode or cache read, resize, augment, normalise, batch) for each
    /// thread count, without and with the decode cache; `report` gets each result as it is ready.
    public static func run(size: Int = 224, images: Int = 64, width: Int = 500, height: Int = 375,
                           threadCounts: [Int] = [1, 2], repeats: Int = 2, batchSize: Int = 16,
                           report: (DataBenchmarkResult) -> Void) throws {
        let folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("runner-bench-data-\(getpid())-\(UInt32.random(in: 0...UInt32.max))").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let classes = 4
        let paths = try GeneratedDataset.write(variant: .source, classes: classes, imagesPerClass: max(1, images / classes),
                                               width: width, height: height, seed: 1,
                                               to: (folder as NSString).appendingPathComponent("images"))
        let labels = paths.indices.map { $0 % classes }
        let transforms = Transforms(size: size, resize: .crop, augment: .standard, normalization: .imagenet)
        let cache = try DecodeCache.open(paths: paths, transforms: transforms,
                                         directory: (folder as NSString).appendingPathComponent("cache"),
                                         policy: .fail, threads: threadCounts.max() ?? 1)
        for useCache in [false, true] {
            for threads in threadCounts {
                let source: PreparedImageSource = useCache ? cache : DecodingImageSource(paths: paths, transforms: transforms)
                let loader = BatchLoader(source: source, labels: labels, transforms: transforms, batchSize: batchSize,
                                         training: true, seed: 1, threads: threads, prefetch: 2, dropLast: false)
                var epoch = 0
                var failure: Error?
                let seconds = Stopwatch.best(repeats: repeats) {
                    let pass = loader.epoch(epoch)
                    epoch += 1
                    do { while try pass.next() != nil {} } catch { failure = error }
                }
                if let failure { throw failure }
                report(DataBenchmarkResult(size: size, threads: threads, cache: useCache,
                                           imagesPerSecond: Double(paths.count) / seconds))
            }
        }
    }
}
