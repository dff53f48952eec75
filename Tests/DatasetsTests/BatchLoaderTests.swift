// BatchLoaderTests: batch shapes and order, seeded shuffles, identical batches for 1 and 2 threads, bounded prefetch, errors.

@testable import Datasets
import Foundation
import Tensors
import XCTest

/// Images made from their index, counting how many were asked for.
private final class SyntheticSource: PreparedImageSource, @unchecked Sendable {
    let count: Int
    let size: Int
    let failing: Int?
    private let lock = NSLock()
    private var served = 0

    init(count: Int, size: Int, failing: Int? = nil) {
        self.count = count
        self.size = size
        self.failing = failing
    }

    var servedCount: Int { lock.lock(); defer { lock.unlock() }; return served }

    func preparedImage(at index: Int) throws -> RGBImage {
        lock.lock()
        served += 1
        lock.unlock()
        if index == failing { throw DataError.corrupt(path: "item\(index).jpg", detail: "test") }
        var image = RGBImage(width: size, height: size)
        for y in 0..<size { for x in 0..<size { image[x, y] = (UInt8(index * 7 % 256), UInt8(x * 10), UInt8(y * 10)) } }
        return image
    }
}

final class BatchLoaderTests: XCTestCase {
    private func collect(_ epoch: BatchLoader.Epoch) throws -> [Batch] {
        var batches: [Batch] = []
        while let batch = try epoch.next() { batches.append(batch) }
        return batches
    }

    func testShapesOrderAndLabels() throws {
        let source = SyntheticSource(count: 10, size: 8)
        let labels = (0..<10).map { $0 % 3 }
        let valid = BatchLoader(source: source, labels: labels, transforms: Transforms(size: 8), batchSize: 4,
                                training: false, seed: 1, threads: 2)
        let batches = try collect(valid.epoch(0))
        XCTAssertEqual(batches.map(\.images.shape), [[4, 3, 8, 8], [4, 3, 8, 8], [2, 3, 8, 8]])
        XCTAssertEqual(batches.flatMap(\.indices), Array(0..<10), "validation keeps order")
        XCTAssertEqual(batches.flatMap(\.labels), labels)
        // The centre path is the normalised image.
        let first = Normalization.imagenet.apply(try source.preparedImage(at: 0))
        XCTAssertEqual(Array(batches[0].images.data[0..<first.count]), first.data)

        let train = BatchLoader(source: source, labels: labels, transforms: Transforms(size: 8), batchSize: 4,
                                training: true, seed: 1, threads: 2)
        XCTAssertEqual(train.batchCount, 2, "training drops the last partial batch")
        let trainBatches = try collect(train.epoch(0))
        XCTAssertEqual(trainBatches.count, 2)
        XCTAssertEqual(Set(trainBatches.flatMap(\.indices)).count, 8)
        XCTAssertEqual(trainBatches.flatMap(\.labels), trainBatches.flatMap(\.indices).map { labels[$0] })
    }

    func testShuffleIsSeededPerEpoch() {
        let loader = BatchLoader(source: SyntheticSource(count: 50, size: 4), labels: [Int](repeating: 0, count: 50),
                                 transforms: Transforms(size: 4), batchSize: 8, training: true, seed: 3, threads: 1)
        XCTAssertEqual(loader.order(epoch: 0), loader.order(epoch: 0))
        XCTAssertNotEqual(loader.order(epoch: 0), loader.order(epoch: 1))
        XCTAssertEqual(loader.order(epoch: 2).sorted(), Array(0..<50))
        XCTAssertNotEqual(loader.order(epoch: 0), Array(0..<50))
        let subset = BatchLoader(source: SyntheticSource(count: 50, size: 4), labels: [Int](repeating: 0, count: 50),
                                 indices: [1, 5, 9], transforms: Transforms(size: 4), batchSize: 8, training: true, seed: 3)
        XCTAssertEqual(subset.order(epoch: 0).sorted(), [1, 5, 9])
    }

    func testSameBatchesWithOneAndTwoThreads() throws {
        func run(threads: Int) throws -> [Batch] {
            let loader = BatchLoader(source: SyntheticSource(count: 13, size: 12), labels: (0..<13).map { $0 % 2 },
                                     transforms: Transforms(size: 10, augment: .standard), batchSize: 5,
                                     training: true, seed: 42, threads: threads)
            return try collect(loader.epoch(0)) + collect(loader.epoch(1))
        }
        let one = try run(threads: 1)
        let two = try run(threads: 2)
        XCTAssertEqual(one.count, 4)
        XCTAssertEqual(one, two)
        XCTAssertNotEqual(one[0].images, one[2].images, "epochs differ")
    }

    func testPrefetchIsBounded() throws {
        let source = SyntheticSource(count: 200, size: 4)
        let loader = BatchLoader(source: source, labels: [Int](repeating: 0, count: 200), transforms: Transforms(size: 4),
                                 batchSize: 5, training: false, seed: 1, threads: 1, prefetch: 2)
        let epoch = loader.epoch(0)
        Thread.sleep(forTimeInterval: 0.3)
        // Two waiting batches plus the one the producer is blocked before building.
        XCTAssertLessThanOrEqual(source.servedCount, 2 * 5)
        XCTAssertNotNil(try epoch.next())
        Thread.sleep(forTimeInterval: 0.2)
        XCTAssertLessThanOrEqual(source.servedCount, 4 * 5)
    }

    func testDroppingAnEpochStopsItsThread() throws {
        let source = SyntheticSource(count: 100, size: 4)
        let loader = BatchLoader(source: source, labels: [Int](repeating: 0, count: 100), transforms: Transforms(size: 4),
                                 batchSize: 2, training: true, seed: 1, threads: 2, prefetch: 1)
        do {
            let epoch = loader.epoch(0)
            _ = try epoch.next()
        }
        Thread.sleep(forTimeInterval: 0.2)
        let served = source.servedCount
        Thread.sleep(forTimeInterval: 0.2)
        XCTAssertEqual(source.servedCount, served)
        XCTAssertLessThan(served, 100)
    }

    func testErrorsReachTheConsumer() throws {
        let loader = BatchLoader(source: SyntheticSource(count: 9, size: 4, failing: 6), labels: [Int](repeating: 0, count: 9),
                                 transforms: Transforms(size: 4), batchSize: 4, training: false, seed: 1, threads: 2)
        let epoch = loader.epoch(0)
        XCTAssertNotNil(try epoch.next())
        XCTAssertThrowsError(try epoch.next()) {
            XCTAssertEqual(($0 as? DataError)?.path, "item6.jpg")
        }
        XCTAssertNil(try epoch.next())
    }

    func testDecodesRealFiles() throws {
        let paths = ["rgb.jpg", "rgb.png", "palette.png", "cmyk.jpg", "exif6.jpg"].map(FixtureFiles.path)
        let transforms = Transforms(size: 16, resize: .squish)
        let loader = BatchLoader(source: DecodingImageSource(paths: paths, transforms: transforms), labels: [0, 1, 0, 1, 0],
                                 transforms: transforms, batchSize: 5, training: true, seed: 7, threads: 2)
        let batches = try collect(loader.epoch(0))
        XCTAssertEqual(batches.count, 1)
        XCTAssertEqual(batches[0].images.shape, [5, 3, 16, 16])
        XCTAssertTrue(batches[0].images.data.allSatisfy { $0.isFinite })
    }
}
