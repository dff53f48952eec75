// Suggestion: "did you mean" by edit distance, for unknown keys, enum values and child names.

public enum Suggestion {
    /// The closest candidate, if it is close enough to be a plausible typo.
    public static func closest(to word: String, in candidates: [String]) -> String? {
        let lowered = word.lowercased()
        var best: (String, Int)?
        for candidate in candidates {
            let distance = levenshtein(lowered, candidate.lowercased())
            if distance < (best?.1 ?? Int.max) { best = (candidate, distance) }
        }
        guard let (candidate, distance) = best else { return nil }
        // Up to half the name may be wrong (`frozen` → `freeze`), at most 3 edits, so short names stay strict.
        return distance <= min(3, max(1, candidate.count / 2)) ? candidate : nil
    }

    /// "did you mean `epochs`?" or, when nothing is close, the full list to choose from.
    public static func text(for word: String, in candidates: [String], noun: String) -> String {
        if let match = closest(to: word, in: candidates) {
            return "did you mean `\(match)`?"
        }
        return "\(noun): " + candidates.joined(separator: ", ")
    }

    public static func levenshtein(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = previous
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
