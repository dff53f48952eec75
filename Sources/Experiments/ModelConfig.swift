// ModelConfig: the `model` section — architecture, pretrained weights, where to cut, how to split into layer groups, the head.

public struct ModelConfig: Equatable, Sendable {
    /// Where the body ends: a child index (negative counts from the end) or a child name.
    public enum Cut: Equatable, Sendable {
        case index(Int)
        case name(String)
    }

    /// fastai 0.7 `model_meta`: the body is `children[:cut]`, group 1 starts at child `lrCut`, the head is group 2.
    public struct Meta: Equatable, Sendable {
        public var cut: Int
        public var lrCut: Int

        public init(cut: Int, lrCut: Int) {
            self.cut = cut
            self.lrCut = lrCut
        }
    }

    /// Where body layer groups start after the first: child indices, or child names (split points).
    public enum Split: Equatable, Sendable {
        case indices([Int])
        case names([String])

        var count: Int {
            switch self {
            case let .indices(values): return values.count
            case let .names(values): return values.count
            }
        }
    }

    /// Where the body's initial weights come from.
    public enum Weights: Equatable, Sendable {
        /// A safetensors file or a torch checkpoint (.pth / .pt) with torchvision keys.
        case file(WeightsFileConfig)
        /// torchvision's ImageNet weights for the architecture, downloaded into the cache.
        case imagenet(variant: String?)
        /// The body trained by the experiment's `pretrain` section.
        case pretrain

        public var file: String? {
            if case let .file(file) = self { return file.path }
            return nil
        }
    }

    /// `weights: PATH`, or `{path, key, strip_prefix}` for a checkpoint that nests its state dict
    /// (`key: model` for fastai's `learn.save`) or prefixes its keys (`strip_prefix: "module."`).
    public struct WeightsFileConfig: Equatable, Sendable {
        public var path: String
        public var key: String?
        public var stripPrefix: String?

        public init(path: String, key: String? = nil, stripPrefix: String? = nil) {
            self.path = path
            self.key = key
            self.stripPrefix = stripPrefix
        }

        enum Key: String, ConfigKey {
            case path, key
            case stripPrefix = "strip_prefix"
        }
    }

    public var arch: ArchitectureName
    /// Nil means random initialisation (`weights: none`, or no `weights` key).
    public var weights: Weights?
    public var cut: Cut?
    public var meta: Meta?
    public var split: Split?
    public var head: HeadConfig
    /// Nil means the dataset's class count.
    public var classes: Int?

    /// The number of layer groups when the file fixes it without knowing the architecture
    /// (meta: 2 body groups + head; split: one more body group per split point + head).
    public var declaredGroupCount: Int? {
        if meta != nil { return 3 }
        if let split { return split.count + 2 }
        return nil
    }

    enum Key: String, ConfigKey {
        case arch, weights, cut, meta, split, head, classes
    }

    static let schema = ConfigSchema.fields(Key.self, [.head: HeadConfig.schema])

    static let weightsExpected = "a .safetensors or .pth path, {path, key, strip_prefix}, `imagenet`, `imagenet:V2`,"
        + " `pretrain` or `none`"

    static func read(_ node: ConfigNode, _ path: ConfigPath, _ r: ConfigReader, preset: Preset) -> ModelConfig? {
        guard let f = r.fields(node, path, Key.self) else { return nil }
        var arch: ArchitectureName?
        if let n = f[.arch] {
            arch = r.choice(n, f.path(.arch), ArchitectureName.self)
        } else {
            r.missing(.arch, in: f, suggestion: "e.g. resnet34")
        }

        let weights = f[.weights].flatMap { readWeights($0, f.path(.weights), r, arch: arch) }

        var cut: Cut?
        if let n = f[.cut] {
            if let s = n.scalar, s.type == .string {
                cut = s.text.isEmpty ? nil : .name(s.text)
            } else if let index = r.int(n, f.path(.cut)) {
                if index == 0 {
                    r.fail(n, f.path(.cut), expected: "a non-zero index or a child name",
                           suggestion: "cut: 0 keeps no children; -2 drops the pool and classifier of a resnet")
                } else {
                    cut = .index(index)
                }
            }
        }

        var meta: Meta?
        if let n = f[.meta] {
            meta = readMeta(n, f.path(.meta), r)
            for key in [Key.cut, .split] where f.has(key) {
                let other = f.raw(key) ?? n
                r.fail(at: other.location, f.path(key), expected: "either `meta` or `\(key.rawValue)`",
                       found: "both", problem: "`\(key.rawValue)` cannot be combined with `meta`",
                       suggestion: "meta [cut, lr_cut] already says where to cut and split; remove one")
            }
        }

        var split: Split?
        if let n = f[.split] {
            split = readSplit(n, f.path(.split), r)
        }

        var head = HeadConfig.defaults(preset)
        if let n = f[.head] { head = HeadConfig.read(n, f.path(.head), r, preset: preset) }

        let classes = f[.classes].flatMap { r.int($0, f.path(.classes), min: 2) }
        guard let arch else { return nil }
        return ModelConfig(arch: arch, weights: weights, cut: cut, meta: meta, split: split, head: head,
                           classes: classes)
    }

    private static func readWeights(_ n: ConfigNode, _ path: ConfigPath, _ r: ConfigReader,
                                     arch: ArchitectureName?) -> Weights? {
        var file: WeightsFileConfig
        if n.entries != nil {
            guard let f = r.fields(n, path, WeightsFileConfig.Key.self) else { return nil }
            guard let p = f[.path].flatMap({ r.string($0, f.path(.path)) }) else {
                // An unknown key (`file:`) is already reported; a missing `path` beside it would say it twice.
                let allKnown = (n.entries ?? []).allSatisfy { WeightsFileConfig.Key(rawValue: $0.key) != nil }
                if !f.has(.path), allKnown {
                    r.missing(WeightsFileConfig.Key.path, in: f, suggestion: "the checkpoint's path")
                }
                return nil
            }
            file = WeightsFileConfig(path: p)
            file.key = f[.key].flatMap { r.string($0, f.path(.key)) }
            if let prefix = f[.stripPrefix] {
                file.stripPrefix = prefix.scalar?.text ?? r.string(prefix, f.path(.stripPrefix))
            }
        } else {
            guard let text = r.string(n, path, expected: weightsExpected) else { return nil }
            if text == "pretrain" { return .pretrain }
            if text == "none" { return nil }
            if text == "imagenet" || text.hasPrefix("imagenet:") {
                let variant = text == "imagenet" ? nil : String(text.dropFirst("imagenet:".count))
                if let arch, ImageNetWeights.find(arch, variant: variant) == nil {
                    let known = ImageNetWeights.variants(of: arch).map { "imagenet:\($0.variant)" }
                    r.fail(n, path, expected: "one of imagenet, " + known.joined(separator: ", "),
                           suggestion: "torchvision has \(known.count) ImageNet checkpoint\(known.count == 1 ? "" : "s")"
                               + " for \(arch.rawValue)")
                    return nil
                }
                return .imagenet(variant: variant)
            }
            file = WeightsFileConfig(path: text)
        }
        r.checkExists(file.path, n, path, directory: false, what: "weights file",
                      howToGet: "`weights: imagenet` downloads torchvision's ImageNet weights for \(arch?.rawValue ?? "the arch");"
                        + " a .pth from torch.save loads as it is; or omit `weights` for random initialisation")
        return .file(file)
    }

    private static func readMeta(_ n: ConfigNode, _ path: ConfigPath, _ r: ConfigReader) -> Meta? {
        guard let items = n.items, items.count == 2 else {
            r.fail(n, path, expected: "[cut, lr_cut], two integers", suggestion: "e.g. [8, 6] for a resnet")
            return nil
        }
        let cut = r.int(items[0], path + 0)
        let lrCut = r.int(items[1], path + 1, min: 1)
        guard let cut, let lrCut else { return nil }
        return Meta(cut: cut, lrCut: lrCut)
    }

    private static func readSplit(_ n: ConfigNode, _ path: ConfigPath, _ r: ConfigReader) -> Split? {
        let expected = "a non-empty list of child indices or of child names"
        guard let items = n.items, !items.isEmpty else {
            r.fail(n, path, expected: expected, suggestion: "e.g. [6] or [layer3]")
            return nil
        }
        let isName = items.map { $0.scalar?.type == .string }
        if isName.allSatisfy({ $0 }) {
            let names = items.compactMap { $0.scalar?.text }
            var seen = Set<String>()
            for (i, name) in names.enumerated() where !seen.insert(name).inserted {
                r.fail(items[i], path + i, expected: "each split point once", suggestion: "`\(name)` is listed twice")
                return nil
            }
            return .names(names)
        }
        if isName.contains(true) {
            let first = isName.firstIndex(of: !isName[0]) ?? 0
            r.fail(at: items[first].location, path + first, expected: "all indices or all names",
                   found: items[first].summary, problem: "split mixes indices and child names",
                   suggestion: "write either [4, 6] or [layer2, layer3]")
            return nil
        }
        var values: [Int] = []
        for (i, item) in items.enumerated() {
            guard let value = r.int(item, path + i, min: 1) else { return nil }
            if let previous = values.last, value <= previous {
                r.fail(item, path + i, expected: "an index above \(previous) (split points strictly increase)")
                return nil
            }
            values.append(value)
        }
        return .indices(values)
    }

    var node: ConfigNode {
        var cutNode: ConfigNode?
        switch cut {
        case let .index(i)?: cutNode = .int(i)
        case let .name(name)?: cutNode = .string(name)
        case nil: cutNode = nil
        }
        var splitNode: ConfigNode?
        switch split {
        case let .indices(values)?: splitNode = .ints(values)
        case let .names(names)?: splitNode = .list(names.map(ConfigNode.string))
        case nil: splitNode = nil
        }
        return .map([
            ("arch", .string(arch.rawValue)),
            ("weights", weights.map { weights in
                switch weights {
                case let .file(file) where file.key == nil && file.stripPrefix == nil: return .string(file.path)
                case let .file(file):
                    return .map([("path", .string(file.path)), ("key", file.key.map(ConfigNode.string)),
                                 ("strip_prefix", file.stripPrefix.map(ConfigNode.string))])
                case let .imagenet(variant): return .string(variant.map { "imagenet:\($0)" } ?? "imagenet")
                case .pretrain: return .string("pretrain")
                }
            }),
            ("cut", cutNode),
            ("meta", meta.map { .ints([$0.cut, $0.lrCut]) }),
            ("split", splitNode),
            ("head", head.node),
            ("classes", classes.map(ConfigNode.int)),
        ])
    }
}
