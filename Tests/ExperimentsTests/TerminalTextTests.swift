// TerminalTextTests: control characters from names are shown as escapes; a message keeps its own line breaks.

import Diagnostics
import XCTest

final class TerminalTextTests: XCTestCase {
    func testNamesEscapeEveryControlCharacter() {
        XCTAssertEqual(TerminalText.name("a\u{1B}[2Jb\nc\td\u{7F}e\u{9B}f"), "a\\u{1B}[2Jb\\u{A}c\\u{9}d\\u{7F}e\\u{9B}f")
        XCTAssertEqual(TerminalText.name("résumé_1.jpg"), "résumé_1.jpg")
    }

    func testMessagesKeepNewlinesAndTabs() {
        XCTAssertEqual(TerminalText.message("line 1\n\tline 2 \u{1B}]0;title\u{7}"), "line 1\n\tline 2 \\u{1B}]0;title\\u{7}")
    }
}
