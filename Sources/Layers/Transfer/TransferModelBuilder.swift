// TransferModelBuilder: cuts a torchvision network into a body, adds a head, and splits it into groups.

import Diagnostics
import Tensors

public struct TransferSpec: Equatable, Sendable {
    public var architecture: Architecture
    public var classes: Int
    public var version: FastaiVersion
    /// nil: the architecture's default for the version (ignored with a legacy split, which sets it).
    public var cut: BodyCut?
    public var split: SplitRule
    public var head: HeadOptions

    public init(architecture: Architecture, classes: Int, version: FastaiVersion = .v1, cut: BodyCut? = nil,
                split: SplitRule = .automatic, head: HeadOptions = HeadOptions()) {
        self.architecture = architecture
        self.classes = classes
        self.version = version
        self.cut = cut
        self.split = split
        self.head = head
    }
}

extension TransferModel {
    /// Builds the model with freshly initialised weights (load a state dict afterwards to use
    /// pretrained ones). Nothing is frozen yet.
    public static func build(_ spec: TransferSpec, rng: inout RandomGenerator) throws -> TransferModel {
        let name = spec.architecture.rawValue
        let network = spec.architecture.build(numClasses: 1000, rng: &rng)
        let plan = try BodyPlan.make(spec, children: network.children)
        let features = try outputChannels(of: plan.body, arch: name)
        let head = try Head.make(features: features, classes: spec.classes, options: spec.head,
                                 version: spec.version, rng: &rng)
        let groups = try makeGroups(body: plan.body, head: head, bodyPoints: plan.splitPoints,
                                    headPoint: plan.headSplitChild, arch: name)
        return TransferModel(architecture: name, version: spec.version, body: plan.body, head: head, groups: groups,
                             torchvisionKeys: Set(network.stateDict().tensors.keys))
    }

    /// The channel count of the body's output, from a 64-pixel dummy forward as fastai v1/v2 do.
    private static func outputChannels(of body: Sequential, arch: String) throws -> Int {
        // A body that keeps a classifier layer has lost the flatten torchvision's forward does
        // before it; refuse it by name instead of running it.
        if let (name, _) = body.namedModules().first(where: { $0.1 is LinearLayer }) {
            throw TransferError.bodyKeepsClassifier(arch: arch, layer: name)
        }
        body.eval()
        defer { body.train() }
        let output = body.forward(Tensor(zeros: [1, 3, 64, 64]))
        guard output.rank == 4 else {
            throw TransferError.badHead(reason: "the body of \(arch) ends in \(output.shape), not a feature map;"
                                        + " the cut must remove the classifier")
        }
        return output.shape[1]
    }

    /// Groups start at the first leaf of each split point; the head starts the last group.
    private static func makeGroups(body: Sequential, head: Sequential, bodyPoints: [[Int]], headPoint: Int,
                                   arch: String) throws -> [LayerGroup] {
        let bodyLeaves = leaves(of: body, prefix: "")
        let headLeaves = leaves(of: head, prefix: "head")
        var starts: [Int] = [0]
        for path in bodyPoints {
            var module: any Module = body
            var prefix = ""
            for index in path {
                let child = module.children[index]
                prefix = prefix.isEmpty ? child.name : prefix + "." + child.name
                module = child.module
            }
            guard let first = bodyLeaves.firstIndex(where: { $0.name == prefix || $0.name.hasPrefix(prefix + ".") }) else {
                throw TransferError.emptyBody(arch: arch)
            }
            starts.append(first)
        }
        let headStart = head.children.prefix(headPoint).reduce(0) { $0 + leaves(of: $1.module, prefix: "").count }
        starts.append(bodyLeaves.count + headStart)
        let all = bodyLeaves + headLeaves
        var groups: [LayerGroup] = []
        for (i, start) in starts.enumerated() {
            let end = i + 1 < starts.count ? starts[i + 1] : all.count
            guard start < end else { throw TransferError.splitNotIncreasing(arch: arch, indices: starts) }
            groups.append(LayerGroup(index: i, leaves: Array(all[start..<end])))
        }
        return groups
    }

    /// fastai's `flatten_model`: modules without children, depth first, in registration order.
    static func leaves(of module: any Module, prefix: String) -> [(name: String, module: any Module)] {
        if module.children.isEmpty { return [(prefix, module)] }
        return module.children.flatMap { child in
            leaves(of: child.module, prefix: prefix.isEmpty ? child.name : prefix + "." + child.name)
        }
    }
}

/// The body children and split points a spec resolves to.
private struct BodyPlan {
    var body: Sequential
    var splitPoints: [[Int]]
    /// The head child where the last group starts: 0.7 put the pool and flatten in group 1.
    var headSplitChild = 0

    static func make(_ spec: TransferSpec, children: [(name: String, module: any Module)]) throws -> BodyPlan {
        let arch = spec.architecture.rawValue
        var split = spec.split
        if spec.version == .v07 && split == .automatic {
            guard let meta = ArchitectureDefaults.legacy(arch) else { throw TransferError.noLegacyMeta(arch: arch) }
            split = .legacy(meta)
        }
        if case let .legacy(meta) = split {
            return try legacy(meta, arch: arch, children: children)
        }
        let defaults = ArchitectureDefaults.forArchitecture(arch, version: spec.version)
        let cut = try resolve(spec.cut ?? defaults?.cut ?? .automatic, arch: arch, children: children)
        guard cut > 0 else { throw TransferError.emptyBody(arch: arch) }
        let body = Sequential(named: Array(children.prefix(cut)))
        switch split {
        case .automatic:
            let points = defaults?.splitPoints ?? []
            let (container, prefix) = splitContainer(body)
            for point in points where point.count != prefix.count + 1 || point[prefix.count] >= container.children.count {
                // fastai fails here with an IndexError (fastai/fastai#2156); say what to do instead.
                throw TransferError.defaultSplitOutsideBody(arch: arch, point: point.last ?? 0,
                                                            children: container.children.count)
            }
            return BodyPlan(body: body, splitPoints: points)
        case let .indices(indices):
            return BodyPlan(body: body, splitPoints: try points(indices, in: body, arch: arch))
        case let .names(names):
            let available = splitContainer(body).container.children.map(\.name)
            let indices = try names.map { name -> Int in
                guard let index = available.firstIndex(of: name) else {
                    throw TransferError.unknownChild(arch: arch, name: name, available: available,
                                                     suggestion: Suggestion.closest(to: name, in: available))
                }
                return index
            }
            return BodyPlan(body: body, splitPoints: try points(indices, in: body, arch: arch))
        case .legacy:
            preconditionFailure("legacy splits return above")
        }
    }

    /// 0.7: the body is `children[:cut]` of 0.7's view (`.features` for vgg and densenet); cut 0
    /// keeps the whole view; `lr_cut` indexes the children of the body, or of the view when cut is 0.
    private static func legacy(_ meta: LegacyMeta, arch: String,
                               children: [(name: String, module: any Module)]) throws -> BodyPlan {
        let family = ArchitectureDefaults.Family(arch)
        let body: Sequential
        if family.legacyViewIsFeatures, let features = children.first(where: { $0.name == "features" }) {
            let inner = features.module.children
            let cut = meta.cut == 0 ? inner.count : try resolve(.index(meta.cut), arch: arch, children: inner)
            guard cut > 0 else { throw TransferError.emptyBody(arch: arch) }
            body = Sequential(named: [("features", Sequential(named: Array(inner.prefix(cut))))])
        } else {
            let cut = meta.cut == 0 ? children.count : try resolve(.index(meta.cut), arch: arch, children: children)
            guard cut > 0 else { throw TransferError.emptyBody(arch: arch) }
            body = Sequential(named: Array(children.prefix(cut)))
        }
        return BodyPlan(body: body, splitPoints: try points([meta.lrCut], in: body, arch: arch), headSplitChild: 2)
    }

    /// The slice end a cut means on `children`.
    static func resolve(_ cut: BodyCut, arch: String, children: [(name: String, module: any Module)]) throws -> Int {
        let count = children.count
        switch cut {
        case let .index(index):
            guard index >= -count && index <= count else {
                throw TransferError.cutOutOfRange(arch: arch, cut: index, children: children.map(\.name))
            }
            return index >= 0 ? index : count + index
        case let .name(name):
            let names = children.map(\.name)
            guard let index = names.firstIndex(of: name) else {
                throw TransferError.unknownChild(arch: arch, name: name, available: names,
                                                 suggestion: Suggestion.closest(to: name, in: names))
            }
            return index
        case .automatic:
            // fastai: the last child that is or contains a layer whose class name ends in Pool1d/2d/3d.
            for index in stride(from: count - 1, through: 0, by: -1)
            where children[index].module.namedModules().contains(where: { isPooling($0.module.typeName) }) {
                return index
            }
            throw TransferError.noPoolingChild(arch: arch)
        }
    }

    private static func isPooling(_ typeName: String) -> Bool {
        ["Pool1d", "Pool2d", "Pool3d"].contains { typeName.hasSuffix($0) }
    }

    /// A body that is one container (vgg's, densenet's, squeezenet's, mobilenet's `features`) is
    /// split inside that container.
    static func splitContainer(_ body: Sequential) -> (container: any Module, prefix: [Int]) {
        if body.children.count == 1, let only = body.children.first, !only.module.children.isEmpty {
            return (only.module, [0])
        }
        if body.children.count == 2, let first = body.children.first, first.name == "features",
           body.children[1].module.parameters.isEmpty && body.children[1].module.children.isEmpty {
            return (first.module, [0])  // fastai1's vgg and alexnet bodies: features + avgpool
        }
        return (body, [])
    }

    static func points(_ indices: [Int], in body: Sequential, arch: String) throws -> [[Int]] {
        let (container, prefix) = splitContainer(body)
        let count = container.children.count
        let name = prefix.isEmpty ? "the body" : "`\(body.children[0].name)`"
        for index in indices where index < 1 || index >= count {
            throw TransferError.splitOutOfRange(arch: arch, index: index, count: count, container: name)
        }
        guard zip(indices, indices.dropFirst()).allSatisfy({ $0 < $1 }) else {
            throw TransferError.splitNotIncreasing(arch: arch, indices: indices)
        }
        return indices.map { prefix + [$0] }
    }
}
