// DataConfig: the `data` section — where images come from, how they are labelled, split, resized, augmented and batched.

public struct DataConfig: Equatable, Sendable {
    public enum Source: String, CaseIterable, Sendable {
        case folder, csv, generated
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

        public init(variant: Variant, classes: Int, imagesPerClass: Int) {
            self.variant = variant
            self.classes = classes
            self.imagesPerClass = imagesPerClass
        }
    }

    public var source: Source
    /// The image folder; required for folder and csv sources, optional for generated ones.
    public var path: String?
    /// Nil for generated data, which carries its own labels.
    public var labels: LabelsConfig?
    public var valid: ValidSplit
    public var size: Int
    public var resize: Resize
    public var batchSize: Int
    public var augment: AugmentConfig
    public var normalize: Normalization
    public var badFiles: BadFiles
    /// Set exactly when `source` is generated.
    public var generated: Generated?

    enum Key: String, ConfigKey {
        case source, path, labels, valid, size, resize
        case batchSize = "batch_size"
        case augment, normalize
        case badFiles = "bad_files"
        case variant, classes
        case imagesPerClass = "images_per_class"
    }

    static let schema = ConfigSchema.fields(Key.self, [
        .labels: LabelsConfig.schema, .valid: ValidSplit.schema, .augment: AugmentConfig.schema,
        .normalize: Normalization.schema,
    ])

    static func read(_ node: ConfigNode, _ path: ConfigPath, _ r: ConfigReader) -> DataConfig? {
        guard let f = r.fields(node, path, Key.self) else { return nil }
        var source: Source?
        if let n = f[.source] {
            source = r.choice(n, f.path(.source), Source.self)
        } else {
            r.missing(.source, in: f, suggestion: "one of folder, csv, generated")
        }

        var imagePath: String?
        if let n = f[.path] {
            imagePath = r.string(n, f.path(.path))
            if let p = imagePath, source == .folder || source == .csv {
                r.checkExists(p, n, f.path(.path), directory: true, what: "image folder",
                              howToGet: DataConfig.knownDatasets.first { p.contains($0.marker) }?.instructions)
            }
        } else if source == .folder || source == .csv {
            r.missing(.path, in: f, suggestion: "the folder that holds the images")
        }

        var labels: LabelsConfig?
        if source == .generated {
            if f.has(.labels) { r.notApplicable(.labels, in: f, because: "with generated data, which is labelled") }
        } else if let n = f[.labels] {
            labels = LabelsConfig.read(n, f.path(.labels), r)
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
        } else if source == .csv {
            r.missing(.labels, in: f, suggestion: "write labels: {from: csv, file: labels.csv}")
        } else {
            labels = .folder
        }

        var valid = Preset.valid
        if let n = f[.valid], let v = ValidSplit.read(n, f.path(.valid), r) {
            valid = v
            let validNode = n
            switch v {
            case .folder where source != .folder && source != nil:
                r.fail(validNode, f.path(.valid), expected: "{pct, seed} or {csv_column}",
                       suggestion: "a validation folder needs `source: folder`")
            case .csvColumn where source != .csv && source != nil:
                r.fail(validNode, f.path(.valid), expected: "{pct, seed}" + (source == .folder ? " or {folder}" : ""),
                       suggestion: "a validation column needs `source: csv`")
            default:
                break
            }
        }

        var generated: Generated?
        let generatedKeys: [Key] = [.variant, .classes, .imagesPerClass]
        if source == .generated {
            var g = Preset.generated
            if let n = f[.variant] { g.variant = r.choice(n, f.path(.variant), Generated.Variant.self) ?? g.variant }
            if let n = f[.classes] { g.classes = r.int(n, f.path(.classes), min: 2) ?? g.classes }
            if let n = f[.imagesPerClass] {
                g.imagesPerClass = r.int(n, f.path(.imagesPerClass), min: 2) ?? g.imagesPerClass
            }
            generated = g
        } else if source != nil {
            for key in generatedKeys where f.has(key) {
                r.notApplicable(key, in: f, because: "unless `source: generated`")
            }
        }

        let defaultSize = source == .generated ? Preset.generatedImageSize : Preset.imageSize
        return DataConfig(
            source: source ?? .folder,
            path: imagePath,
            labels: labels,
            valid: valid,
            size: f[.size].flatMap { r.int($0, f.path(.size), min: 8) } ?? defaultSize,
            resize: f[.resize].flatMap { r.choice($0, f.path(.resize), Resize.self) } ?? Preset.resize,
            batchSize: f[.batchSize].flatMap { r.int($0, f.path(.batchSize), min: 1) } ?? Preset.batchSize,
            augment: f[.augment].map { AugmentConfig.read($0, f.path(.augment), r) } ?? .standard,
            normalize: f[.normalize].map { Normalization.read($0, f.path(.normalize), r) } ?? Preset.normalization,
            badFiles: f[.badFiles].flatMap { r.choice($0, f.path(.badFiles), BadFiles.self) } ?? Preset.badFiles,
            generated: generated)
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
            ("variant", generated.map { .string($0.variant.rawValue) }),
            ("classes", generated.map { .int($0.classes) }),
            ("images_per_class", generated.map { .int($0.imagesPerClass) }),
        ])
    }
}

extension DataConfig {
    /// Public datasets the bundled configs use, and how to get each.
    static let knownDatasets: [(marker: String, instructions: String)] = [
        ("oxford-iiit-pet", "Oxford-IIIT Pets: download images.tar.gz from the Oxford VGG pets page"
            + " (robots.ox.ac.uk/~vgg/data/pets) and run `mkdir -p data/oxford-iiit-pet && tar -xzf images.tar.gz"
            + " -C data/oxford-iiit-pet`, which creates data/oxford-iiit-pet/images"),
    ]
}
