// DecodeCacheTests: build once and map later, keys that follow files and settings, skip/fail policies, atomic writes.

@testable import Datasets
import Foundation
import XCTest

final class DecodeCacheTests: XCTestCase {
    private let good = ["rgb.jpg", "rgb.png", "gray16.png", "cmyk.jpg"]
    private let bad = ["truncated.jpg", "zero.jpg", "text.jpg", "gif.jpg"]

    /// Copies of the fixtures, so tests can touch them.
    private func copies(_ names: [String]) throws -> (String, [String]) {
        let folder = try FixtureFiles.scratchFolder(self, "images")
        let paths = names.map { folder + "/" + $0 }
        for (name, path) in zip(names, paths) { try FileManager.default.copyItem(atPath: FixtureFiles.path(name), toPath: path) }
        return (folder, paths)
    }

    func testBuildsOnceThenMapsWithSkippedFilesListed() throws {
        let (_, paths) = try copies(["rgb.jpg", "truncated.jpg", "rgb.png", "zero.jpg", "gray16.png", "text.jpg", "cmyk.jpg", "gif.jpg"])
        let directory = try FixtureFiles.scratchFolder(self, "cache")
        let transforms = Transforms(size: 12, resize: .squish)
        let cache = try DecodeCache.open(paths: paths, transforms: transforms, directory: directory, policy: .skip)
        XCTAssertTrue(cache.wasBuilt)
        XCTAssertEqual(cache.usableIndices, [0, 2, 4, 6])
        XCTAssertEqual(cache.skipped.map(\.path), [paths[1], paths[3], paths[5], paths[7]])
        XCTAssertTrue(cache.skipped[1].reason.contains("empty"))
        for i in cache.usableIndices {
            XCTAssertEqual(try cache.preparedImage(at: i), try transforms.decodeAndPrepare(path: paths[i]))
        }
        XCTAssertThrowsError(try cache.preparedImage(at: 1)) { XCTAssertEqual(($0 as? DataError)?.path, paths[1]) }

        let files = try FileManager.default.contentsOfDirectory(atPath: directory)
        XCTAssertEqual(files.count, 1, "no temporary files are left: \(files)")
        let expectedSize = 64 * 1 + 8 * 12 * 12 * 3
        XCTAssertGreaterThan(try FileManager.default.attributesOfItem(atPath: cache.file)[.size] as? Int ?? 0, expectedSize)

        let again = try DecodeCache.open(paths: paths, transforms: transforms, directory: directory, policy: .skip)
        XCTAssertFalse(again.wasBuilt)
        XCTAssertEqual(again.skipped, cache.skipped)
        XCTAssertEqual(again.usableIndices, cache.usableIndices)
        XCTAssertEqual(try again.preparedImage(at: 6), try cache.preparedImage(at: 6))
    }

    func testKeyFollowsFilesAndSettings() throws {
        let (_, paths) = try copies(good)
        let directory = try FixtureFiles.scratchFolder(self, "cache")
        let transforms = Transforms(size: 8)
        let first = try DecodeCache.open(paths: paths, transforms: transforms, directory: directory)
        XCTAssertFalse(try DecodeCache.open(paths: paths, transforms: transforms, directory: directory).wasBuilt)
        // Another size or method, another list, or a touched file: a new cache.
        XCTAssertTrue(try DecodeCache.open(paths: paths, transforms: Transforms(size: 9), directory: directory).wasBuilt)
        XCTAssertTrue(try DecodeCache.open(paths: paths, transforms: Transforms(size: 8, resize: .pad(.zeros)), directory: directory).wasBuilt)
        XCTAssertTrue(try DecodeCache.open(paths: Array(paths.dropLast()), transforms: transforms, directory: directory).wasBuilt)
        // Augmentation and normalisation do not change the stored bytes.
        XCTAssertFalse(try DecodeCache.open(paths: paths, transforms: Transforms(size: 8, augment: .none, normalization: .none),
                                            directory: directory).wasBuilt)
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -3600)], ofItemAtPath: paths[0])
        let touched = try DecodeCache.open(paths: paths, transforms: transforms, directory: directory)
        XCTAssertTrue(touched.wasBuilt)
        XCTAssertNotEqual(touched.file, first.file)
    }

    func testDamagedCacheIsRebuilt() throws {
        let (_, paths) = try copies(good)
        let directory = try FixtureFiles.scratchFolder(self, "cache")
        let transforms = Transforms(size: 8)
        let cache = try DecodeCache.open(paths: paths, transforms: transforms, directory: directory)
        let file = cache.file
        let expected = try cache.preparedImage(at: 2)
        let handle = try XCTUnwrap(FileHandle(forUpdatingAtPath: file))
        try handle.truncate(atOffset: 100)
        try handle.close()
        let rebuilt = try DecodeCache.open(paths: paths, transforms: transforms, directory: directory)
        XCTAssertTrue(rebuilt.wasBuilt)
        XCTAssertEqual(try rebuilt.preparedImage(at: 2), expected)
    }

    func testFailPolicyNamesEveryBadFile() throws {
        let (_, paths) = try copies(good + ["zero.jpg", "truncated.jpg"])
        let directory = try FixtureFiles.scratchFolder(self, "cache")
        XCTAssertThrowsError(try DecodeCache.open(paths: paths, transforms: Transforms(size: 8), directory: directory, policy: .fail)) {
            guard case let .badFiles(files)? = $0 as? DataError else { return XCTFail("\($0)") }
            XCTAssertEqual(files.map(\.path), [paths[4], paths[5]])
            XCTAssertTrue(files[0].reason.contains("empty"), files[0].reason)
            XCTAssertTrue("\($0)".contains("bad_files: skip"))
        }
        // Every file was decoded, so the cache is kept (no temporary file): `skip` reuses it.
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.contains(".tmp") }, [])
        let skipping = try DecodeCache.open(paths: paths, transforms: Transforms(size: 8), directory: directory, policy: .skip)
        XCTAssertFalse(skipping.wasBuilt)
        XCTAssertEqual(skipping.skipped.map(\.path), [paths[4], paths[5]])
        XCTAssertEqual(skipping.usableIndices, [0, 1, 2, 3])
    }

    func testLoaderGivesTheSameBatchesThroughTheCache() throws {
        let (_, paths) = try copies(good)
        let directory = try FixtureFiles.scratchFolder(self, "cache")
        let transforms = Transforms(size: 10, augment: .standard)
        let cache = try DecodeCache.open(paths: paths, transforms: transforms, directory: directory)
        // rgb.jpg is 32×24: a `.crop` record keeps part of the longer side (12×10), not a square.
        let record = try cache.preparedImage(at: 0)
        XCTAssertEqual([record.width, record.height], [12, 10])
        XCTAssertEqual(record, try transforms.decodeAndPrepare(path: paths[0]))
        func batches(_ source: PreparedImageSource) throws -> [Batch] {
            let loader = BatchLoader(source: source, labels: [0, 1, 0, 1], transforms: transforms, batchSize: 2,
                                     training: true, seed: 5, threads: 2)
            let epoch = loader.epoch(1)
            var result: [Batch] = []
            while let batch = try epoch.next() { result.append(batch) }
            return result
        }
        XCTAssertEqual(try batches(cache), try batches(DecodingImageSource(paths: paths, transforms: transforms)))
    }
}
