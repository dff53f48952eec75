// ValidSplit: how the validation set is chosen — a seeded random fraction, a folder, or a CSV column.

public enum ValidSplit: Equatable, Sendable {
    case random(pct: Double, seed: Int)
    /// Images under `data.path/<folder>` are validation, those under `data.path/<train>` training.
    case folder(String, train: String)
    /// A boolean column of the labels CSV.
    case csvColumn(String)

    enum Key: String, ConfigKey {
        case pct, seed, folder, train
        case csvColumn = "csv_column"
    }

    static let schema = ConfigSchema.fields(Key.self)

    static func read(_ node: ConfigNode, _ path: ConfigPath, _ r: ConfigReader) -> ValidSplit? {
        guard let f = r.fields(node, path, Key.self) else { return nil }
        let random = f.has(.pct) || f.has(.seed)
        let forms = [random, f.has(.folder), f.has(.csvColumn)].filter { $0 }.count
        if forms > 1 {
            r.fail(at: f.location, path, expected: "one of {pct, seed}, {folder} or {csv_column}",
                   found: f.presentKeys.map(\.rawValue).joined(separator: " and "),
                   problem: "`valid` mixes \(f.presentKeys.map { "`\($0.rawValue)`" }.joined(separator: " and "))",
                   suggestion: "choose one way to pick the validation set")
            return nil
        }
        if let trainNode = f[.train], !f.has(.folder) {
            r.fail(trainNode, f.path(.train), expected: "`train` only beside `folder`",
                   suggestion: "write valid: {folder: valid, train: train}")
        }
        if let folderNode = f[.folder] {
            let train = f[.train].flatMap { r.string($0, f.path(.train)) } ?? Preset.trainFolder
            return r.string(folderNode, f.path(.folder)).map { ValidSplit.folder($0, train: train) }
        }
        if let columnNode = f[.csvColumn] {
            return r.string(columnNode, f.path(.csvColumn)).map(ValidSplit.csvColumn)
        }
        guard case let .random(defaultPct, defaultSeed) = Preset.valid else { return nil }
        let pct = f[.pct].flatMap { r.number($0, f.path(.pct), .unitOpen) } ?? defaultPct
        let seed = f[.seed].flatMap { r.int($0, f.path(.seed), min: 0) } ?? defaultSeed
        return .random(pct: pct, seed: seed)
    }

    var node: ConfigNode {
        switch self {
        case let .random(pct, seed): return .map([("pct", .number(pct)), ("seed", .int(seed))])
        case let .folder(name, train): return .map([("folder", .string(name)), ("train", .string(train))])
        case let .csvColumn(name): return .map([("csv_column", .string(name))])
        }
    }
}
