// CSVSourceTests: CSV parsing (quotes, commas, line breaks), the is_valid column and random splits, and their errors.

@testable import Datasets
import Foundation
import XCTest

final class CSVSourceTests: XCTestCase {
    private func write(_ root: String, _ csv: String, images: [String]) throws -> String {
        for image in images { try FixtureFiles.touch(root, image) }
        let path = root + "/labels.csv"
        try Data(csv.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    func testParsesQuotedFields() throws {
        let rows = try CSVSource.parse("a,b,c\r\n\"x, y\",\"say \"\"hi\"\"\",\"two\nlines\"\nplain,,end", path: "t.csv")
        XCTAssertEqual(rows.map(\.fields), [["a", "b", "c"], ["x, y", "say \"hi\"", "two\nlines"], ["plain", "", "end"]])
        XCTAssertEqual(rows.map(\.line), [1, 2, 4])
        XCTAssertThrowsError(try CSVSource.parse("a,\"open\n", path: "t.csv")) {
            XCTAssertEqual($0 as? DataError, .malformedCSV(path: "t.csv", line: 1, detail: "a quoted field is never closed"))
        }
    }

    func testIsValidColumn() throws {
        let root = try FixtureFiles.scratchFolder(self)
        let csv = try write(root, "path,label,is_valid\nimgs/a.jpg,cat,False\n\"imgs/b, c.jpg\",dog,false\nimgs/d.jpg,cat,True\nimgs/e.png,dog,1\n",
                            images: ["imgs/a.jpg", "imgs/b, c.jpg", "imgs/d.jpg", "imgs/e.png"])
        let items = try CSVSource(csvPath: csv).load()
        XCTAssertEqual(items.train, [LabeledItem(path: root + "/imgs/a.jpg", label: "cat"),
                                     LabeledItem(path: root + "/imgs/b, c.jpg", label: "dog")])
        XCTAssertEqual(items.valid.map(\.label), ["cat", "dog"])
        XCTAssertEqual(items.classes, ["cat", "dog"])
    }

    func testRandomSplitAndOtherColumnNames() throws {
        let root = try FixtureFiles.scratchFolder(self)
        let names = (0..<10).map { "\($0).jpg" }
        let body = names.enumerated().map { "\($1),\($0 % 2 == 0 ? "even" : "odd")" }
        let csv = try write(root, "name,class\n" + body.joined(separator: "\n"), images: names)
        let source = CSVSource(csvPath: csv, imagesFolder: root, pathColumn: "name", labelColumn: "class",
                               split: .random(fraction: 0.3, seed: 5))
        let items = try source.load()
        XCTAssertEqual(items.valid.count, 3)
        XCTAssertEqual(items.train.count, 7)
        XCTAssertEqual(try source.load(), items)
        // Reordering the rows does not change the split.
        let reversed = try write(root, "name,class\n" + body.reversed().joined(separator: "\n"), images: [])
        XCTAssertEqual(try CSVSource(csvPath: reversed, pathColumn: "name", labelColumn: "class",
                                     split: .random(fraction: 0.3, seed: 5)).load().valid, items.valid)
    }

    func testErrors() throws {
        let root = try FixtureFiles.scratchFolder(self)
        var csv = try write(root, "file,label\na.jpg,cat\n", images: ["a.jpg"])
        XCTAssertThrowsError(try CSVSource(csvPath: csv).load()) {
            XCTAssertEqual($0 as? DataError, .missingColumn(path: csv, column: "path"))
        }
        csv = try write(root, "path,label,is_valid\na.jpg,cat,maybe\n", images: [])
        XCTAssertThrowsError(try CSVSource(csvPath: csv).load()) {
            guard case .malformedCSV(csv, 2, _)? = $0 as? DataError else { return XCTFail("\($0)") }
        }
        csv = try write(root, "path,label,is_valid\na.jpg,cat,false\nmissing.jpg,dog,true\n", images: [])
        XCTAssertThrowsError(try CSVSource(csvPath: csv).load()) {
            guard case .malformedCSV(csv, 3, let detail)? = $0 as? DataError else { return XCTFail("\($0)") }
            XCTAssertTrue(detail.contains("missing.jpg"))
        }
        csv = try write(root, "path,label,is_valid\na.jpg,cat,false\na.jpg,cat\n", images: [])
        XCTAssertThrowsError(try CSVSource(csvPath: csv).load()) {
            guard case .malformedCSV(csv, 3, _)? = $0 as? DataError else { return XCTFail("\($0)") }
        }
        csv = try write(root, "path,label,is_valid\na.jpg,cat,false\na.jpg,cat,true\n", images: [])
        XCTAssertThrowsError(try CSVSource(csvPath: csv).load()) {
            XCTAssertEqual($0 as? DataError, .singleClass(source: csv, label: "cat"))
        }
        XCTAssertThrowsError(try CSVSource(csvPath: root + "/none.csv").load()) {
            XCTAssertEqual($0 as? DataError, .unreadable(path: root + "/none.csv", detail: "no such file"))
        }
        XCTAssertThrowsError(try CSVSource(csvPath: csv, split: .folder()).load())
    }
}
