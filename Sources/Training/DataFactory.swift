// DataFactory: the labelled, split items an experiment file's `data` section describes.

import Datasets
import Foundation
import Experiments

public enum DataFactory {
    /// Items of a folder or CSV source, or of a downloaded dataset already unpacked (generated
    /// sources are drawn and remote ones fetched on first use, so they have none until then).
    public static func items(_ data: DataConfig) throws -> SplitItems? {
        guard let data = RemoteDataset.local(data) else { return nil }
        let split = validationSplit(data.valid)
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

    /// The class count: `model.classes`, a generated dataset's, the data's sorted class list, or
    /// the count a named dataset is known to have before it is downloaded.
    public static func classCount(_ config: ExperimentConfig) throws -> Int? {
        if let declared = ModelFactory.declaredClasses(config) { return declared }
        if let counted = try items(config.data)?.classes.count { return counted }
        if case let .fastai(dataset)? = config.data.remote { return dataset.classes }
        return nil
    }
}

extension DataFactory {
    /// The folder a generated dataset is drawn into, one per variant, size and count, so different
    /// experiments never overwrite each other's images.
    public static func generatedFolder(_ data: DataConfig, seed: Int) -> String? {
        guard let generated = data.generated else { return nil }
        return "data/generated/\(generated.variant.rawValue)-\(generated.classes)x\(generated.imagesPerClass)"
            + "-\(data.size)px-seed\(seed)-v\(GeneratedDataset.drawing)"
    }

    /// Train and validation items; a generated dataset is drawn on first use.
    public static func prepareItems(_ config: ExperimentConfig) throws -> SplitItems {
        let data = config.data
        if let generated = data.generated, let folder = generatedFolder(data, seed: config.seed) {
            if !FileManager.default.fileExists(atPath: folder) {
                guard let variant = GeneratedDataset.Variant(rawValue: generated.variant.rawValue) else {
                    preconditionFailure("the config schema admitted generated variant \(generated.variant.rawValue)")
                }
                // Drawn beside the final folder and renamed into place, so an interrupted drawing is
                // never taken for a complete dataset.
                let temporary = folder + ".\(getpid()).tmp"
                try? FileManager.default.removeItem(atPath: temporary)
                try GeneratedDataset.write(variant: variant, classes: generated.classes,
                                           imagesPerClass: generated.imagesPerClass, size: data.size,
                                           seed: UInt64(truncatingIfNeeded: config.seed), to: temporary)
                do {
                    try FileManager.default.moveItem(atPath: temporary, toPath: folder)
                } catch where FileManager.default.fileExists(atPath: folder) {
                    // Another runner drew the same dataset first; the drawings are identical.
                    try? FileManager.default.removeItem(atPath: temporary)
                }
            }
            let split = validationSplit(data.valid)
            return try ImageFolderSource(root: folder, labels: .fileName(pattern: #"^(.+)_\d+\.jpg$"#), split: split).load()
        }
        guard let items = try items(try RemoteDataset.prepare(data).data) else {
            preconditionFailure("the config schema admitted a data source without items")
        }
        return items
    }

    static func validationSplit(_ valid: ValidSplit) -> ValidationSplit {
        switch valid {
        case let .random(pct, seed): return .random(fraction: pct, seed: UInt64(truncatingIfNeeded: seed))
        case let .folder(name, train): return .folder(train: train, valid: name)
        case let .csvColumn(column): return .csvColumn(column)
        }
    }

    /// Where runs keep decoded images: `<runs>/.cache/decode`, beside the stage cache.
    public static func decodeCacheFolder(runsRoot: String) -> String {
        (runsRoot as NSString).appendingPathComponent(".cache/decode")
    }

    public static func transforms(_ data: DataConfig) -> Transforms {
        let resize: ResizeMethod
        switch data.resize {
        case .crop: resize = .crop
        case .squish: resize = .squish
        case .pad: resize = .pad(.reflection)
        }
        let a = data.augment
        let augment = AugmentSettings(flipProbability: a.flip ? 0.5 : 0, maxRotate: a.maxRotate, maxZoom: a.maxZoom,
                                      maxWarp: a.maxWarp, affineProbability: a.pAffine, maxLighting: a.maxLighting,
                                      lightingProbability: a.pLighting)
        let normalization: Normalization
        switch data.normalize {
        case .imagenet: normalization = .imagenet
        case .none: normalization = Normalization(mean: [0, 0, 0], std: [1, 1, 1])
        case let .stats(mean, std): normalization = Normalization(mean: mean.map(Float.init), std: std.map(Float.init))
        }
        var transforms = Transforms(size: data.size, resize: resize, augment: augment, normalization: normalization)
        transforms.maxPixels = data.maxPixels
        return transforms
    }

    /// Training (shuffled, augmented) and validation (centre path) loaders over `items`.
    ///
    /// With a `decodeCache` folder every image is decoded and prepared once, before training, into
    /// a memory-mapped cache that later epochs, jobs and runs read; that pass also finds every file
    /// that cannot be decoded: `bad_files: fail` stops with all of them named, `skip` leaves them
    /// out and returns them. The cache holds the same prepared images the cold path makes, so the
    /// batches, and the metrics, are the same either way.
    public static func loaders(_ config: ExperimentConfig, items: SplitItems, threads: Int,
                               decodeCache: String? = nil) throws -> Loaders {
        let transforms = transforms(config.data)
        let all = items.train + items.valid
        let labels = items.labelIndices(all)
        let source: PreparedImageSource
        var usable = Array(all.indices)
        var skipped: [DataError.BadFile] = []
        if let decodeCache {
            let policy: DecodeCache.BadFilePolicy = config.data.badFiles == .skip ? .skip : .fail
            let cache = try DecodeCache.open(paths: all.map(\.path), transforms: transforms, directory: decodeCache,
                                             policy: policy, threads: threads)
            source = cache
            usable = cache.usableIndices
            skipped = cache.skipped
        } else {
            source = DecodingImageSource(paths: all.map(\.path), transforms: transforms)
        }
        // Training items come first, so their indices (which seed each item's augmentation) are
        // the same as in a training-only list.
        func loader(_ range: Range<Int>, training: Bool) -> BatchLoader {
            BatchLoader(source: source, labels: labels, indices: usable.filter { range.contains($0) },
                        transforms: transforms, batchSize: config.data.batchSize, training: training,
                        seed: UInt64(truncatingIfNeeded: config.seed), threads: threads)
        }
        return Loaders(train: loader(0..<items.train.count, training: true),
                       valid: loader(items.train.count..<all.count, training: false), skipped: skipped)
    }

    public struct Loaders {
        public var train: BatchLoader
        public var valid: BatchLoader
        /// Files left out under `bad_files: skip`.
        public var skipped: [DataError.BadFile]
    }
}
