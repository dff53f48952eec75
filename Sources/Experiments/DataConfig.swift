// DataConfig: the `data` section — where images come from, how they are labelled, split, resized, augmented and batched.

import Diagnostics

public struct DataConfig: Equatable, Sendable {
    public enum Source: String, CaseIterable, Sendable {
        case folder, csv, generated, url, fastai
    }

    /// An archive downloaded into the cache and unpacked there; `path` is then a folder inside it.
    public enum Remote: Equatable, Sendable {
        /// Any .tgz / .tar.gz / .zip; with `sha256`, the download is verified against it.
        case url(String, sha256: String?)
        /// A dataset fastai's `URLs` names, verified with fastai's own check.
        case fastai(FastaiDataset)

        public var url: String {
            switch self {
            case let .url(url, _): return url
            case let .fastai(dataset): return dataset.url
            }
        }

        /// The archive's name in the cache: fastai's own name (so a copied `oxford-iiit-pet.tgz` is
        /// found), or for any other URL its file name behind a hash of the whole URL, so two
        /// addresses ending in the same name never share a download.
        public var archiveName: String {
            switch self {
            case let .fastai(dataset): return dataset.archiveName
            case let .url(url, _):
                let name = URLFileName.of(url)
                return String(StableHash.hex(url).prefix(8)) + "-" + (name.isEmpty ? "archive" : name)
            }
        }

        /// The folder it is unpacked into: the archive's name without its extension, or with `.d`
        /// added when it has none Runner knows, so the two never share a path.
        public var folderName: String {
            let name = archiveName
            for suffix in [".tar.gz", ".tgz", ".zip", ".tar"] where name.lowercased().hasSuffix(suffix) {
                return String(name.dropLast(suffix.count))
            }
            return name + ".d"
        }
    }

    public enum Resize: String, CaseIterable, Sendable {
        case crop, squish, pad
    }

    public enum BadFiles: String, CaseIterable, Sendable {
        case skip, fail
    }

    /// The embedded dataset, drawn on first use (the same files `runner data generate` writes).
    public struct Generated: Equatable, Sendable {
        public enum Variant: String, CaseIterable, Sendable {
            case source, target
        }

        public var variant: Variant
        public var classes: Int
        public var imagesPerClass: Int

        /// The version of the drawing that `source: generated` means; it is part of the data node's
        /// identity and of the folder name, so a redrawn dataset never meets stages cached on the
        /// old one. Equal to `GeneratedDataset.drawing` (a test checks).
        public static let drawing = 2
        /// Each variant draws from 24 of the 8 × 6 shape-texture pairs; equal to `GeneratedDataset.maxClasses`.
        public static let maxClasses = 24
        /// 240,000 images at the most: a drawing bound, well past what a generated task needs.
        public static let maxImagesPerClass = 10_000

        public init(variant: Variant, classes: Int, imagesPerClass: Int) {
            self.variant = variant
            self.classes = classes
            self.imagesPerClass = imagesPerClass
        }
    }

    public var source: Source
    /// The image folder; required for folder and csv sources, refused for generated ones (drawn into
    /// data/generated/), and for url and fastai sources a folder inside the unpacked archive.
    public var path: String?
    /// Nil for generated data, which carries its own labels.
    public var labels: LabelsConfig?
    public var valid: ValidSplit
    public var size: Int
    public var resize: Resize
    public var batchSize: Int
    public var augment: AugmentConfig
    public var normalize: NormalizeConfig
    public var badFiles: BadFiles
    /// Images whose header claims more pixels are unreadable (PIL's limit by default).
    public var maxPixels: Int
    /// Set exactly when `source` is generated.
    public var generated: Generated?
    /// Set exactly when `source` is url or fastai.
    public var remote: Remote?

    enum Key: String, ConfigKey {
        case source, path, labels, valid, size, resize
        case batchSize = "batch_size"
        case augment, normalize
        case badFiles = "bad_files"
        case variant, classes
        case imagesPerClass = "images_per_class"
        case url, sha256, name
        case maxPixels = "max_pixels"
    }

    static let schema = ConfigSchema.fields(Key.self, [
        .labels: LabelsConfig.schema, .valid: ValidSplit.schema, .augment: AugmentConfig.schema,
        .normalize: NormalizeConfig.schema,
    ])

    /// The largest image side: a batch of 64 images of 2048 px is 3.2 GB of floats before the network
    /// starts, far beyond what a CPU run can train.
    static let maxSize = 2048

    static func read(_ node: ConfigNode, _ path: ConfigPath, _ r: ConfigReader) -> DataConfig? {
        guard let f = r.fields(node, path, Key.self) else { return nil }
        let source = readSource(f, r)
        let remote = readRemote(f, source, r)
        let imagePath = readImagePath(f, source, remote, r)
        let labels = readLabels(f, source, remote, r)
        let valid = readValid(f, source, remote, r)
        let generated = readGenerated(f, source, r)

        let defaultSize = source == .generated ? Preset.generatedImageSize : Preset.imageSize
        return DataConfig(
            source: source ?? .folder,
            path: imagePath,
            labels: labels,
            valid: valid,
            size: f[.size].flatMap { r.int($0, f.path(.size), min: 8, max: maxSize) } ?? defaultSize,
            resize: f[.resize].flatMap { r.choice($0, f.path(.resize), Resize.self) } ?? Preset.resize,
            // BatchNorm in training needs two values per channel; a final plane of 1×1 gives one per image.
            batchSize: f[.batchSize].flatMap { r.int($0, f.path(.batchSize), min: 2) } ?? Preset.batchSize,
            augment: f[.augment].map { AugmentConfig.read($0, f.path(.augment), r) } ?? .standard,
            normalize: f[.normalize].map { NormalizeConfig.read($0, f.path(.normalize), r) } ?? Preset.normalization,
            badFiles: f[.badFiles].flatMap { r.choice($0, f.path(.badFiles), BadFiles.self) } ?? Preset.badFiles,
            maxPixels: f[.maxPixels].flatMap { r.int($0, f.path(.maxPixels), min: 1) } ?? Preset.maxPixels,
            generated: generated,
            remote: remote)
    }

    private static func readSource(_ f: ConfigReader.Fields<Key>, _ r: ConfigReader) -> Source? {
        guard let n = f[.source] else {
            r.missing(.source, in: f, suggestion: "one of folder, csv, generated, url, fastai")
            return nil
        }
        return r.choice(n, f.path(.source), Source.self)
    }

    /// Required for folder and csv sources, refused for generated ones; a fastai dataset's own folder
    /// when not given.
    private static func readImagePath(_ f: ConfigReader.Fields<Key>, _ source: Source?, _ remote: Remote?,
                                      _ r: ConfigReader) -> String? {
        var imagePath: String?
        if source == .generated, f.has(.path) {
            r.notApplicable(.path, in: f, because: "with generated data, which is drawn into data/generated/")
        } else if let n = f[.path] {
            imagePath = r.string(n, f.path(.path))
            if let p = imagePath, source == .folder || source == .csv {
                r.checkExists(p, n, f.path(.path), directory: true, what: "image folder",
                              howToGet: DataConfig.knownDatasets.first { p.contains($0.marker) }?.instructions)
            }
        } else if source == .folder || source == .csv {
            r.missing(.path, in: f, suggestion: "the folder that holds the images")
        }
        if case let .fastai(dataset)? = remote, imagePath == nil { imagePath = dataset.folder }
        return imagePath
    }

    /// Refused for generated data and required for csv; otherwise a fastai dataset's own labels or
    /// folder names when not given.
    private static func readLabels(_ f: ConfigReader.Fields<Key>, _ source: Source?, _ remote: Remote?,
                                   _ r: ConfigReader) -> LabelsConfig? {
        if source == .generated {
            if f.has(.labels) { r.notApplicable(.labels, in: f, because: "with generated data, which is labelled") }
            return nil
        }
        guard let n = f[.labels] else {
            if source == .csv {
                r.missing(.labels, in: f, suggestion: "write labels: {from: csv, file: labels.csv}")
                return nil
            }
            if case let .fastai(dataset)? = remote { return dataset.labels }
            return .folder
        }
        let labels = LabelsConfig.read(n, f.path(.labels), r)
        if let from = labels?.from, let source {
            let fromPath = f.path(.labels) + "from"
            let at = n["from"] ?? n
            if source == .csv, from != .csv {
                r.fail(at, fromPath, expected: "csv (source csv reads labels from its CSV)")
            } else if source == .folder, from == .csv {
                r.fail(at, fromPath, expected: "folder or filename",
                       suggestion: "labels from a CSV need `source: csv`")
            }
        }
        return labels
    }

    /// A validation folder needs a folder source and a validation column a csv one.
    private static func readValid(_ f: ConfigReader.Fields<Key>, _ source: Source?, _ remote: Remote?,
                                  _ r: ConfigReader) -> ValidSplit {
        var valid = Preset.valid
        if case let .fastai(dataset)? = remote { valid = dataset.valid }
        guard let n = f[.valid], let v = ValidSplit.read(n, f.path(.valid), r) else { return valid }
        switch v {
        case .folder where source == .csv || source == .generated:
            r.fail(n, f.path(.valid), expected: "{pct, seed} or {csv_column}",
                   suggestion: "a validation folder needs `source: folder`")
        case .csvColumn where source != .csv && source != nil:
            r.fail(n, f.path(.valid), expected: "{pct, seed}" + (source == .folder ? " or {folder}" : ""),
                   suggestion: "a validation column needs `source: csv`")
        default:
            break
        }
        return v
    }

    /// `variant`, `classes` and `images_per_class` for generated data; refused with other sources.
    private static func readGenerated(_ f: ConfigReader.Fields<Key>, _ source: Source?,
                                      _ r: ConfigReader) -> Generated? {
        guard source == .generated else {
            if source != nil {
                for key in [Key.variant, .classes, .imagesPerClass] where f.has(key) {
                    r.notApplicable(key, in: f, because: "unless `source: generated`")
                }
            }
            return nil
        }
        var g = Preset.generated
        if let n = f[.variant] { g.variant = r.choice(n, f.path(.variant), Generated.Variant.self) ?? g.variant }
        if let n = f[.classes] { g.classes = r.int(n, f.path(.classes), min: 2, max: Generated.maxClasses) ?? g.classes }
        if let n = f[.imagesPerClass] {
            g.imagesPerClass = r.int(n, f.path(.imagesPerClass), min: 2, max: Generated.maxImagesPerClass)
                ?? g.imagesPerClass
        }
        return g
    }

    /// `url` (+ `sha256`) for a url source, `name` for a fastai one; refused with other sources.
    private static func readRemote(_ f: ConfigReader.Fields<Key>, _ source: Source?, _ r: ConfigReader) -> Remote? {
        switch source {
        case .url?:
            if f.has(.name) { r.notApplicable(Key.name, in: f, because: "with `source: url`; `name` is for `source: fastai`") }
            guard let n = f[.url] else {
                r.missing(Key.url, in: f, suggestion: "the archive's address, e.g. https://…/images.tgz")
                return nil
            }
            guard let url = r.string(n, f.path(.url)) else { return nil }
            guard url.hasPrefix("https://") || url.hasPrefix("http://") || url.hasPrefix("file://") else {
                r.fail(n, f.path(.url), expected: "an http(s):// or file:// address")
                return nil
            }
            var sha256: String?
            if let h = f[.sha256], let text = r.string(h, f.path(.sha256)) {
                if text.count == 64, text.allSatisfy(\.isHexDigit) {
                    sha256 = text.lowercased()
                } else {
                    r.fail(h, f.path(.sha256), expected: "64 hexadecimal digits (`sha256sum FILE` prints them)")
                }
            }
            return .url(url, sha256: sha256)
        case .fastai?:
            for key in [Key.url, .sha256] where f.has(key) {
                r.notApplicable(key, in: f, because: "with `source: fastai`, which knows its address and check")
            }
            let names = FastaiDataset.all.map(\.name)
            guard let n = f[.name] else {
                r.missing(Key.name, in: f, suggestion: "one of " + names.joined(separator: ", "))
                return nil
            }
            guard let name = r.string(n, f.path(.name)) else { return nil }
            guard let dataset = FastaiDataset.named(name) else {
                r.fail(n, f.path(.name), expected: "one of " + names.joined(separator: ", "),
                       suggestion: Suggestion.closest(to: name, in: names).map { "did you mean `\($0)`?" })
                return nil
            }
            return .fastai(dataset)
        default:
            for key in [Key.url, .sha256, .name] where f.has(key) {
                r.notApplicable(key, in: f, because: "unless `source: url` or `source: fastai`")
            }
            return nil
        }
    }

    var node: ConfigNode {
        .map([
            ("source", .string(source.rawValue)),
            ("path", path.map(ConfigNode.string)),
            ("labels", labels?.node),
            ("valid", valid.node),
            ("size", .int(size)),
            ("resize", .string(resize.rawValue)),
            ("batch_size", .int(batchSize)),
            ("augment", augment.node),
            ("normalize", normalize.node),
            ("bad_files", .string(badFiles.rawValue)),
            // Written only when set, so files and node identities that never name it stay as they were.
            ("max_pixels", maxPixels == Preset.maxPixels ? nil : .int(maxPixels)),
            ("variant", generated.map { .string($0.variant.rawValue) }),
            ("classes", generated.map { .int($0.classes) }),
            ("images_per_class", generated.map { .int($0.imagesPerClass) }),
            ("url", remote.flatMap { if case let .url(url, _) = $0 { return .string(url) }; return nil }),
            ("sha256", remote.flatMap { if case let .url(_, hash?) = $0 { return .string(hash) }; return nil }),
            ("name", remote.flatMap { if case let .fastai(dataset) = $0 { return .string(dataset.name) }; return nil }),
        ])
    }
}

extension DataConfig {
    /// Public datasets the bundled configs use, and how to get each.
    static let knownDatasets: [(marker: String, instructions: String)] = [
        ("oxford-iiit-pet", "Oxford-IIIT Pets: write `data: {source: fastai, name: oxford-iiit-pet}` and Runner"
            + " downloads and unpacks fastai's archive into its cache"),
    ]
}
