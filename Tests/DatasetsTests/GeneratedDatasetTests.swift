// GeneratedDatasetTests: deterministic JPEG files with Pets-style names, disjoint source/target classes over shared primitives, not pixel-separable.

@testable import Datasets
import Foundation
import Tensors
import XCTest

final class GeneratedDatasetTests: XCTestCase {
    func testClassesAreDisjointCombinationsOfSharedPrimitives() {
        let source = GeneratedDataset.classNames(variant: .source)
        let target = GeneratedDataset.classNames(variant: .target)
        XCTAssertEqual(source.count, 24)
        XCTAssertEqual(target.count, 24)
        XCTAssertTrue(Set(source).isDisjoint(with: target))
        for names in [source, target] {
            XCTAssertEqual(Set(names.map { $0.split(separator: "-")[0] }).count, GeneratedDataset.shapes.count)
            XCTAssertEqual(Set(names.map { $0.split(separator: "-")[1] }).count, GeneratedDataset.textures.count)
        }
        // The first ten, which the default config uses, still cover most primitives.
        XCTAssertGreaterThanOrEqual(Set(source.prefix(10).map { $0.split(separator: "-")[0] }).count, 5)
    }

    func testWritesDeterministicJPEGsThatTheFolderSourceLabels() throws {
        let first = try FixtureFiles.scratchFolder(self, "first")
        let second = try FixtureFiles.scratchFolder(self, "second")
        let paths = try GeneratedDataset.write(variant: .target, classes: 3, imagesPerClass: 4, size: 40, seed: 11, to: first)
        XCTAssertEqual(paths.count, 12)
        try GeneratedDataset.write(variant: .target, classes: 3, imagesPerClass: 4, size: 40, seed: 11, to: second)
        for path in paths {
            let name = (path as NSString).lastPathComponent
            XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path)),
                           try Data(contentsOf: URL(fileURLWithPath: second + "/" + name)), name)
            let image = try ImageDecoder.decode(contentsOf: path)
            XCTAssertEqual([image.width, image.height], [40, 40])
        }
        let items = try ImageFolderSource(root: first, labels: .fileName(pattern: #"^(.+)_\d+\.jpg$"#),
                                          split: .random(fraction: 0.25, seed: 1)).load()
        XCTAssertEqual(items.classes, Array(GeneratedDataset.classNames(variant: .target).prefix(3)).sorted())
        XCTAssertEqual(items.valid.count, 3)

        let other = try FixtureFiles.scratchFolder(self, "other")
        try GeneratedDataset.write(variant: .target, classes: 3, imagesPerClass: 4, size: 40, seed: 12, to: other)
        XCTAssertNotEqual(try Data(contentsOf: URL(fileURLWithPath: paths[0])),
                          try Data(contentsOf: URL(fileURLWithPath: other + "/" + (paths[0] as NSString).lastPathComponent)))
    }

    func testNonSquareAndBadArguments() throws {
        let folder = try FixtureFiles.scratchFolder(self)
        let paths = try GeneratedDataset.write(variant: .source, classes: 2, imagesPerClass: 1, width: 50, height: 30,
                                               seed: 1, to: folder)
        let image = try ImageDecoder.decode(contentsOf: paths[0])
        XCTAssertEqual([image.width, image.height], [50, 30])
        XCTAssertThrowsError(try GeneratedDataset.write(variant: .source, classes: 1, imagesPerClass: 1, size: 32, seed: 1, to: folder))
        XCTAssertThrowsError(try GeneratedDataset.write(variant: .source, classes: 25, imagesPerClass: 1, size: 32, seed: 1, to: folder))
    }

    /// Position, colour and rotation vary so much that the class means of raw pixels say little:
    /// nearest-centroid on held-out images stays far from perfect.
    func testRawPixelsAreNotEnough() {
        let classes = Array(GeneratedDataset.classNames(variant: .source).prefix(4))
        let size = 24
        func vectors(_ name: String, _ range: Range<Int>) -> [[Float]] {
            range.map { n in
                var rng = RandomGenerator(seed: 3, purpose: "test").derived(UInt64(n)).derived(UInt64(name.count))
                return GeneratedDataset.draw(className: name, width: size, height: size, rng: &rng).pixels.map { Float($0) }
            }
        }
        let centroids = classes.map { name -> [Float] in
            let train = vectors(name, 0..<40)
            return (0..<train[0].count).map { i in train.reduce(0) { $0 + $1[i] } / Float(train.count) }
        }
        var correct = 0, total = 0
        for (label, name) in classes.enumerated() {
            for v in vectors(name, 100..<120) {
                let distances = centroids.map { c in zip(c, v).reduce(Float(0)) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } }
                if distances.firstIndex(of: distances.min() ?? 0) == label { correct += 1 }
                total += 1
            }
        }
        XCTAssertLessThan(Double(correct) / Double(total), 0.5, "chance is 0.25")
    }
}
