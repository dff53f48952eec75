// ImageFolderSource: the image files under a folder (sorted, recursive), labelled and split → SplitItems.

import Foundation

public struct ImageFolderSource: Sendable {
    public static let imageExtensions: Set<String> = ["jpg", "jpeg", "png"]

    public var root: String
    public var labels: LabelRule
    public var split: ValidationSplit

    public init(root: String, labels: LabelRule, split: ValidationSplit) {
        self.root = root
        self.labels = labels
        self.split = split
    }

    public func load() throws -> SplitItems {
        let labeller = try labels.makeLabeller()
        func labelled(_ paths: [String]) throws -> [LabeledItem] {
            try paths.map { LabeledItem(path: $0, label: try labeller($0)) }
        }
        switch split {
        case .random(let fraction, let seed):
            guard fraction >= 0, fraction < 1 else {
                throw DataError.invalidArgument("the validation fraction must be in [0, 1), got \(fraction)")
            }
            let items = try labelled(Self.listImages(under: root))
            let valid = ValidationSplit.randomValidation(count: items.count, fraction: fraction, seed: seed)
            return try SplitItems(train: items.indices.filter { !valid.contains($0) }.map { items[$0] },
                                  valid: valid.sorted().map { items[$0] }, source: root)
        case .folder(let trainName, let validName):
            guard Self.isFolder(root) else { throw DataError.folderMissing(path: root) }
            let trainRoot = (root as NSString).appendingPathComponent(trainName)
            let validRoot = (root as NSString).appendingPathComponent(validName)
            for folder in [trainRoot, validRoot] where !Self.isFolder(folder) {
                throw DataError.splitFolderMissing(path: folder)
            }
            return try SplitItems(train: labelled(Self.listImages(under: trainRoot)),
                                  valid: labelled(Self.listImages(under: validRoot)), source: root)
        case .csvColumn(let column):
            throw DataError.invalidArgument("\(root): a folder source cannot split by the CSV column `\(column)`; use a CSV source")
        }
    }

    /// Full paths of the .jpg/.jpeg/.png files (any case) under `root`, sorted by their path
    /// relative to `root` so that the order never depends on the file system.
    public static func listImages(under root: String) throws -> [String] {
        guard isFolder(root) else { throw DataError.folderMissing(path: root) }
        guard let enumerator = FileManager.default.enumerator(atPath: root) else {
            throw DataError.unreadable(path: root, detail: "cannot list the folder")
        }
        var relative: [String] = []
        while let next = enumerator.nextObject() as? String {
            let ext = (next as NSString).pathExtension.lowercased()
            guard imageExtensions.contains(ext) else { continue }
            // Skip hidden files such as macOS' `._name.jpg` resource forks.
            guard !(next as NSString).lastPathComponent.hasPrefix(".") else { continue }
            relative.append(next)
        }
        guard !relative.isEmpty else { throw DataError.noImages(path: root) }
        return relative.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            .map { (root as NSString).appendingPathComponent($0) }
    }

    static func isFolder(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
    }
}
