// ImageFolderSourceTests: listing, the folder and file-name labellers, the random and folder splits, and their errors.

@testable import Datasets
import Foundation
import XCTest

final class ImageFolderSourceTests: XCTestCase {
    func testListsImagesRecursivelySortedCaseInsensitively() throws {
        let root = try FixtureFiles.scratchFolder(self)
        for name in ["b/2.PNG", "a/z.jpg", "a/y.Jpeg", "b/1.png", "notes.txt", "a/.hidden.jpg", "c/d/e.jpg", "a/x.gif"] {
            try FixtureFiles.touch(root, name)
        }
        let listed = try ImageFolderSource.listImages(under: root).map { String($0.dropFirst(root.count + 1)) }
        XCTAssertEqual(listed, ["a/y.Jpeg", "a/z.jpg", "b/1.png", "b/2.PNG", "c/d/e.jpg"])
    }

    func testParentFolderLabelsAndRandomSplit() throws {
        let root = try FixtureFiles.scratchFolder(self)
        for i in 0..<10 {
            try FixtureFiles.touch(root, "cat/\(i).jpg")
            try FixtureFiles.touch(root, "dog/\(i).jpg")
        }
        let source = ImageFolderSource(root: root, labels: .parentFolder, split: .random(fraction: 0.2, seed: 2))
        let items = try source.load()
        XCTAssertEqual(items.classes, ["cat", "dog"])
        XCTAssertEqual(items.valid.count, 4, "fastai takes int(0.2 × 20) items")
        XCTAssertEqual(items.train.count, 16)
        XCTAssertEqual(Set(items.train + items.valid).count, 20)
        XCTAssertTrue(items.train.allSatisfy { $0.path.contains("/\($0.label)/") })
        XCTAssertEqual(items.labelIndices(items.train).filter { $0 == 1 }.count, items.train.filter { $0.label == "dog" }.count)
        // The same seed gives the same split; another seed a different one.
        XCTAssertEqual(try source.load(), items)
        let other = try ImageFolderSource(root: root, labels: .parentFolder, split: .random(fraction: 0.2, seed: 3)).load()
        XCTAssertNotEqual(other.valid, items.valid)
    }

    func testRandomSplitDoesNotDependOnCreationOrder() throws {
        let first = try FixtureFiles.scratchFolder(self, "first")
        let second = try FixtureFiles.scratchFolder(self, "second")
        let names = (0..<12).map { "\($0 % 2 == 0 ? "a" : "b")_\($0).jpg" }
        for name in names { try FixtureFiles.touch(first, name) }
        for name in names.reversed() { try FixtureFiles.touch(second, name) }
        func validNames(_ root: String) throws -> [String] {
            try ImageFolderSource(root: root, labels: .fileName(pattern: #"^(.+)_\d+\.jpg$"#),
                                  split: .random(fraction: 0.25, seed: 7)).load().valid.map { ($0.path as NSString).lastPathComponent }
        }
        XCTAssertEqual(try validNames(first), try validNames(second))
    }

    func testPetsFileNameRegex() throws {
        let root = try FixtureFiles.scratchFolder(self)
        for name in ["Abyssinian_1.jpg", "Abyssinian_12.jpg", "great_pyrenees_3.jpg", "great_pyrenees_40.jpg"] {
            try FixtureFiles.touch(root, name)
        }
        let items = try ImageFolderSource(root: root, labels: .fileName(pattern: #"^(.+)_\d+\.jpg$"#),
                                          split: .random(fraction: 0, seed: 1)).load()
        XCTAssertEqual(items.classes, ["Abyssinian", "great_pyrenees"])
        XCTAssertEqual(items.train.map(\.label), ["Abyssinian", "Abyssinian", "great_pyrenees", "great_pyrenees"])
        XCTAssertTrue(items.valid.isEmpty)
    }

    func testRegexErrors() throws {
        let root = try FixtureFiles.scratchFolder(self)
        try FixtureFiles.touch(root, "cat_1.jpg")
        try FixtureFiles.touch(root, "oddname.jpg")
        let pattern = #"^(.+)_\d+\.jpg$"#
        XCTAssertThrowsError(try ImageFolderSource(root: root, labels: .fileName(pattern: pattern), split: .random(fraction: 0.2, seed: 1)).load()) {
            XCTAssertEqual($0 as? DataError, .patternDoesNotMatch(path: root + "/oddname.jpg", pattern: pattern))
            XCTAssertTrue("\($0)".contains("oddname.jpg"))
        }
        XCTAssertThrowsError(try ImageFolderSource(root: root, labels: .fileName(pattern: "(unclosed"), split: .random(fraction: 0.2, seed: 1)).load()) {
            guard case .invalidPattern("(unclosed", _)? = $0 as? DataError else { return XCTFail("\($0)") }
        }
        XCTAssertThrowsError(try ImageFolderSource(root: root, labels: .fileName(pattern: #"\.jpg$"#), split: .random(fraction: 0.2, seed: 1)).load()) {
            guard case .invalidPattern(_, let detail)? = $0 as? DataError else { return XCTFail("\($0)") }
            XCTAssertTrue(detail.contains("capture group"))
        }
    }

    func testFolderSplit() throws {
        let root = try FixtureFiles.scratchFolder(self)
        for name in ["train/cat/1.jpg", "train/cat/2.jpg", "train/dog/1.jpg", "valid/cat/3.jpg", "valid/dog/2.png", "test/dog/9.jpg"] {
            try FixtureFiles.touch(root, name)
        }
        let items = try ImageFolderSource(root: root, labels: .parentFolder, split: .folder()).load()
        XCTAssertEqual(items.train.map(\.label), ["cat", "cat", "dog"])
        XCTAssertEqual(items.valid.map(\.label), ["cat", "dog"])
        XCTAssertEqual(items.classes, ["cat", "dog"])
        XCTAssertFalse((items.train + items.valid).contains { $0.path.contains("/test/") }, "other folders are ignored")

        XCTAssertThrowsError(try ImageFolderSource(root: root, labels: .parentFolder, split: .folder(train: "train", valid: "val")).load()) {
            XCTAssertEqual($0 as? DataError, .splitFolderMissing(path: root + "/val"))
        }
    }

    func testFolderErrors() throws {
        let root = try FixtureFiles.scratchFolder(self)
        let missing = root + "/nope"
        XCTAssertThrowsError(try ImageFolderSource(root: missing, labels: .parentFolder, split: .random(fraction: 0.2, seed: 1)).load()) {
            XCTAssertEqual($0 as? DataError, .folderMissing(path: missing))
        }
        try FixtureFiles.touch(root, "readme.txt")
        XCTAssertThrowsError(try ImageFolderSource(root: root, labels: .parentFolder, split: .random(fraction: 0.2, seed: 1)).load()) {
            XCTAssertEqual($0 as? DataError, .noImages(path: root))
        }
        try FixtureFiles.touch(root, "cat/1.jpg")
        try FixtureFiles.touch(root, "cat/2.jpg")
        XCTAssertThrowsError(try ImageFolderSource(root: root, labels: .parentFolder, split: .random(fraction: 0.2, seed: 1)).load()) {
            XCTAssertEqual($0 as? DataError, .singleClass(source: root, label: "cat"))
        }
        XCTAssertThrowsError(try ImageFolderSource(root: root, labels: .parentFolder, split: .csvColumn()).load())
        XCTAssertThrowsError(try ImageFolderSource(root: root, labels: .parentFolder, split: .random(fraction: 1.5, seed: 1)).load())
    }
}
