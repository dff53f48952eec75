// LabelRule: where an image's class name comes from — its parent folder or a regex on its file name.

import Foundation

public enum LabelRule: Equatable, Sendable {
    /// `…/<label>/<file>` (ImageNet-style folders).
    case parentFolder
    /// The first capture group of `pattern` matched against the file name, e.g. Oxford-IIIT Pets'
    /// `^(.+)_\d+\.jpg$`.
    case fileName(pattern: String)

    /// Compiled once per source; checked up front so a bad pattern is reported before any file.
    func makeLabeller() throws -> (String) throws -> String {
        switch self {
        case .parentFolder:
            return { path in
                let parent = (path as NSString).deletingLastPathComponent
                return (parent as NSString).lastPathComponent
            }
        case .fileName(let pattern):
            let regex: NSRegularExpression
            do {
                regex = try NSRegularExpression(pattern: pattern)
            } catch {
                throw DataError.invalidPattern(pattern: pattern, detail: "\(error.localizedDescription)")
            }
            guard regex.numberOfCaptureGroups >= 1 else {
                throw DataError.invalidPattern(pattern: pattern, detail: "it needs a capture group for the label, e.g. `^(.+)_\\d+\\.jpg$`")
            }
            return { path in
                let name = (path as NSString).lastPathComponent
                let range = NSRange(name.startIndex..., in: name)
                guard let match = regex.firstMatch(in: name, range: range),
                      let group = Range(match.range(at: 1), in: name), !group.isEmpty else {
                    throw DataError.patternDoesNotMatch(path: path, pattern: pattern)
                }
                return String(name[group])
            }
        }
    }
}
