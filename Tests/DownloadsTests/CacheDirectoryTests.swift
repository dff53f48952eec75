// CacheDirectoryTests: RUNNER_CACHE over XDG_CACHE_HOME over HOME.

import Downloads
import XCTest

final class CacheDirectoryTests: XCTestCase {
    func testPrecedence() {
        let all = ["RUNNER_CACHE": "/data/cache", "XDG_CACHE_HOME": "/xdg", "HOME": "/home/me"]
        XCTAssertEqual(CacheDirectory.root(environment: all), "/data/cache")
        XCTAssertEqual(CacheDirectory.root(environment: all.merging(["RUNNER_CACHE": ""]) { $1 }), "/xdg/runner")
        XCTAssertEqual(CacheDirectory.root(environment: ["XDG_CACHE_HOME": "/xdg/", "HOME": "/home/me"]), "/xdg/runner")
        // The XDG spec says a relative XDG_CACHE_HOME is to be ignored.
        XCTAssertEqual(CacheDirectory.root(environment: ["XDG_CACHE_HOME": "relative", "HOME": "/home/me"]), "/home/me/.cache/runner")
        XCTAssertEqual(CacheDirectory.root(environment: ["HOME": "/home/me"]), "/home/me/.cache/runner")
    }
}
