// ProgressGlyphs: what every progress display shares — the bar in half-cell steps and ETA durations.

import Foundation

/// Training bars and download bars look alike, so both draw with these.
public enum ProgressGlyphs {
    /// An ETA or elapsed time: `0:04`, `12:05`, `1:02:05` (hours only when needed).
    public static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0 else { return "?" }
        let total = Int(seconds.rounded())
        let (hours, minutes, secs) = (total / 3600, total / 60 % 60, total % 60)
        return hours > 0 ? String(format: "%d:%02d:%02d", hours, minutes, secs)
                         : String(format: "%d:%02d", minutes, secs)
    }

    /// A bar of `width` cells in half-cell steps: done `━`, a half `╸`, to do `─` (distinct without colour).
    public static func bar(fraction: Double, width: Int) -> String {
        let clamped = fraction.isFinite ? min(max(fraction, 0), 1) : 0
        let halves = Int((clamped * Double(width * 2)).rounded(.down))
        let full = halves / 2, half = halves % 2
        return String(repeating: "━", count: full) + (half == 1 ? "╸" : "")
            + String(repeating: "─", count: max(0, width - full - half))
    }
}
