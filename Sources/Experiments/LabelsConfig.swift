// LabelsConfig: where each image's class comes from — its folder, a regex on its file name, or a CSV column.

import Foundation

public enum LabelsConfig: Equatable, Sendable {
    /// The name of the folder the image is in (ImageNet-style layout).
    case folder
    /// The first capture group of `pattern` matched against the file name (Oxford-IIIT Pets).
    case filename(pattern: String)
    /// Columns of a CSV file; `pathColumn` holds image paths relative to `data.path`.
    case csv(file: String, pathColumn: String, labelColumn: String)

    enum Key: String, ConfigKey {
        case from, pattern, file
        case pathColumn = "path_column"
        case labelColumn = "label_column"
    }

    public enum From: String, CaseIterable, Sendable {
        case folder, filename, csv
    }

    public var from: From {
        switch self {
        case .folder: return .folder
        case .filename: return .filename
        case .csv: return .csv
        }
    }

    static let schema = ConfigSchema.fields(Key.self)

    static func read(_ node: ConfigNode, _ path: ConfigPath, _ r: ConfigReader) -> LabelsConfig? {
        // `labels: folder` is the common case; let it be written without a mapping.
        if node.scalar != nil { return readScalar(node, path, r) }
        guard let f = r.fields(node, path, Key.self) else { return nil }
        guard let fromNode = f[.from] else {
            r.missing(.from, in: f, suggestion: "one of folder, filename, csv")
            return nil
        }
        guard let from = r.choice(fromNode, f.path(.from), From.self) else { return nil }
        let allowed: Set<Key>
        switch from {
        case .folder: allowed = [.from]
        case .filename: allowed = [.from, .pattern]
        case .csv: allowed = [.from, .file, .pathColumn, .labelColumn]
        }
        for key in f.presentKeys where !allowed.contains(key) {
            r.notApplicable(key, in: f, because: "with `from: \(from.rawValue)`")
        }
        switch from {
        case .folder: return .folder
        case .filename: return readFilename(f, r)
        case .csv: return readCSV(f, r)
        }
    }

    /// Only `folder` needs nothing more; the others are pointed at their mapping form.
    private static func readScalar(_ node: ConfigNode, _ path: ConfigPath, _ r: ConfigReader) -> LabelsConfig? {
        guard let from = r.choice(node, path, From.self) else { return nil }
        guard from == .folder else {
            r.fail(node, path, expected: "a mapping {from: \(from.rawValue), …}",
                   suggestion: from == .filename ? "write {from: filename, pattern: '^(.+)_\\d+\\.jpg$'}"
                       : "write {from: csv, file: labels.csv}")
            return nil
        }
        return .folder
    }

    /// The pattern must compile and capture the label, so a bad one fails here rather than on the first image.
    private static func readFilename(_ f: ConfigReader.Fields<Key>, _ r: ConfigReader) -> LabelsConfig? {
        guard let patternNode = f[.pattern] else {
            r.missing(.pattern, in: f, suggestion: "a regex whose first group is the label, e.g. '^(.+)_\\d+\\.jpg$'")
            return nil
        }
        guard let pattern = r.string(patternNode, f.path(.pattern), expected: "a regular expression") else {
            return nil
        }
        guard let regex = try? NSRegularExpression(pattern: pattern) else {
            r.fail(patternNode, f.path(.pattern), expected: "a valid regular expression",
                   suggestion: "quote it with single quotes so YAML keeps backslashes")
            return nil
        }
        guard regex.numberOfCaptureGroups >= 1 else {
            r.fail(patternNode, f.path(.pattern), expected: "a regular expression with a capture group",
                   suggestion: "put the label part in parentheses, e.g. '^(.+)_\\d+\\.jpg$'")
            return nil
        }
        return .filename(pattern: pattern)
    }

    private static func readCSV(_ f: ConfigReader.Fields<Key>, _ r: ConfigReader) -> LabelsConfig? {
        guard let fileNode = f[.file] else {
            r.missing(.file, in: f, suggestion: "the CSV file with one row per image")
            return nil
        }
        guard let file = r.string(fileNode, f.path(.file)) else { return nil }
        r.checkExists(file, fileNode, f.path(.file), directory: false, what: "CSV file")
        let pathColumn = f[.pathColumn].flatMap { r.string($0, f.path(.pathColumn)) } ?? Preset.csvPathColumn
        let labelColumn = f[.labelColumn].flatMap { r.string($0, f.path(.labelColumn)) } ?? Preset.csvLabelColumn
        return .csv(file: file, pathColumn: pathColumn, labelColumn: labelColumn)
    }

    var node: ConfigNode {
        switch self {
        case .folder:
            return .map([("from", .string("folder"))])
        case let .filename(pattern):
            return .map([("from", .string("filename")), ("pattern", .string(pattern))])
        case let .csv(file, pathColumn, labelColumn):
            return .map([("from", .string("csv")), ("file", .string(file)), ("path_column", .string(pathColumn)),
                         ("label_column", .string(labelColumn))])
        }
    }
}
