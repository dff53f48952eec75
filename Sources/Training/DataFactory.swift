// DataFactory: the labelled, split items an experiment file's `data` section describes.

import Datasets
import Experiments

public enum DataFactory {
    /// Items of a folder or CSV source (generated sources are drawn on first use, so they have none
    /// until then).
    public static func items(_ data: DataConfig) throws -> SplitItems? {
        let split: ValidationSplit
        switch data.valid {
        case let .random(pct, seed): split = .random(fraction: pct, seed: UInt64(truncatingIfNeeded: seed))
        case let .folder(name): split = .folder(valid: name)
        case let .csvColumn(column): split = .csvColumn(column)
        }
        switch (data.source, data.labels) {
        case (.folder, let labels?):
            guard let path = data.path else { return nil }
            let rule: LabelRule
            switch labels {
            case .folder: rule = .parentFolder
            case let .filename(pattern): rule = .fileName(pattern: pattern)
            case .csv: return nil
            }
            return try ImageFolderSource(root: path, labels: rule, split: split).load()
        case (.csv, .csv(let file, let pathColumn, let labelColumn)?):
            return try CSVSource(csvPath: file, imagesFolder: data.path, pathColumn: pathColumn,
                                 labelColumn: labelColumn, split: split).load()
        default:
            return nil
        }
    }

    /// The class count: `model.classes`, a generated dataset's, or the data's sorted class list.
    public static func classCount(_ config: ExperimentConfig) throws -> Int? {
        if let declared = ModelFactory.declaredClasses(config) { return declared }
        return try items(config.data)?.classes.count
    }
}
