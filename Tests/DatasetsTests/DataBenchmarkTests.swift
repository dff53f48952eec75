// DataBenchmarkTests: the data benchmark runs end to end on a tiny setting and reports every case.

@testable import Datasets
import XCTest

final class DataBenchmarkTests: XCTestCase {
    func testReportsEveryCase() throws {
        var results: [DataBenchmarkResult] = []
        try DataBenchmark.run(size: 32, images: 8, width: 50, height: 40, threadCounts: [1, 2], repeats: 1, batchSize: 4) {
            results.append($0)
        }
        XCTAssertEqual(results.map { "\($0.threads) \($0.cache)" }, ["1 false", "2 false", "1 true", "2 true"])
        XCTAssertTrue(results.allSatisfy { $0.imagesPerSecond > 0 && $0.size == 32 })
    }
}
