// TransferError: a cut, split, head or freeze request that does not fit the architecture.

public enum TransferError: Error, Equatable, CustomStringConvertible {
    case cutOutOfRange(arch: String, cut: Int, children: [String])
    case unknownChild(arch: String, name: String, available: [String], suggestion: String?)
    case noPoolingChild(arch: String)
    case emptyBody(arch: String)
    case splitOutOfRange(arch: String, index: Int, count: Int, container: String)
    case splitNotIncreasing(arch: String, indices: [Int])
    case defaultSplitOutsideBody(arch: String, point: Int, children: Int)
    case noLegacyMeta(arch: String)
    case oneGroup(arch: String)
    case freezeOutOfRange(index: Int, groups: Int)
    case badHead(reason: String)
    /// The cut left a classifier layer in the body.
    case bodyKeepsClassifier(arch: String, layer: String)

    public var description: String {
        switch self {
        case let .cutOutOfRange(arch, cut, children):
            return "cut \(cut) is outside \(arch)'s \(children.count) top-level children (\(children.joined(separator: ", ")));"
                + " use an index in -\(children.count)...\(children.count) or a child name"
        case let .unknownChild(arch, name, available, suggestion):
            let hint = suggestion.map { " — did you mean `\($0)`?" } ?? ""
            return "\(arch) has no child `\(name)`\(hint) (children: \(available.joined(separator: ", ")))"
        case let .noPoolingChild(arch):
            return "\(arch) has no top-level child containing a pooling layer, so fastai's automatic cut finds"
                + " nothing (fastai raises StopIteration here); give `cut`, e.g. `cut: -1`"
        case let .emptyBody(arch):
            return "the cut leaves \(arch) with an empty body; choose a cut that keeps at least one child"
        case let .splitOutOfRange(arch, index, count, container):
            return "split index \(index) is outside \(container) of \(arch), which has \(count) children;"
                + " split points must be in 1..<\(count)"
        case let .splitNotIncreasing(arch, indices):
            return "split points \(indices) for \(arch) must be strictly increasing"
        case let .defaultSplitOutsideBody(arch, point, children):
            return "\(arch)'s default split starts a group at child \(point), but this cut leaves \(children) children;"
                + " give `split` explicitly (indices or child names inside the body)"
        case let .noLegacyMeta(arch):
            return "fastai 0.7 had no model_meta for \(arch); give `meta: [cut, lr_cut]` or use preset fastai1 or fastai2"
        case let .oneGroup(arch):
            return "\(arch) has a single layer group, so freezing would either train nothing or change nothing"
                + " (fastai v2 silently does the latter); give a split rule with at least two groups"
        case let .freezeOutOfRange(index, groups):
            return "freeze_to \(index) is outside the model's \(groups) layer groups; use -\(groups)...\(groups)"
        case let .badHead(reason):
            return "head: \(reason)"
        case let .bodyKeepsClassifier(arch, layer):
            return "the body of \(arch) keeps its classifier layer `\(layer)`; cut before it (e.g. cut: -1 or -2,"
                + " or leave the cut to the architecture's default)"
        }
    }
}
