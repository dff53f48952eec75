// SplitRule: how the body is cut into layer groups; the head is always the last group.

public enum SplitRule: Equatable, Sendable {
    /// The architecture's default for the fastai version (fastai's `model_meta`).
    case automatic
    /// fastai 0.7's `[cut, lr_cut]`, on 0.7's view of the architecture (vgg and densenet were their
    /// `.features`); the pair also sets the cut.
    case legacy(LegacyMeta)
    /// Child indices of the body (or of its single container) where new groups start.
    case indices([Int])
    /// Child names of the body (or of its single container) where new groups start.
    case names([String])
}

/// The defaults fastai ships per architecture: a cut, and split points as paths into the body
/// (`[6]` = body child 6; `[0, 22]` = child 22 of body child 0).
struct ArchitectureDefaults {
    var cut: BodyCut
    var splitPoints: [[Int]]

    static func forArchitecture(_ name: String, version: FastaiVersion) -> ArchitectureDefaults? {
        let family = Family(name)
        switch (version, family) {
        case (_, .resnet): return ArchitectureDefaults(cut: .index(-2), splitPoints: [[6]])
        case (.v1, .squeezenet): return ArchitectureDefaults(cut: .index(-1), splitPoints: [[0, 5], [0, 8]])
        case (_, .squeezenet): return ArchitectureDefaults(cut: .index(-1), splitPoints: [[0, 5]])
        case (_, .densenet): return ArchitectureDefaults(cut: .index(-1), splitPoints: [[0, 7]])
        case (.v1, .vgg): return ArchitectureDefaults(cut: .index(-1), splitPoints: [[0, 22]])
        case (_, .vgg): return ArchitectureDefaults(cut: .index(-2), splitPoints: [[0, 22]])
        case (.v1, .alexnet): return ArchitectureDefaults(cut: .index(-1), splitPoints: [[0, 6]])
        case (_, .alexnet): return ArchitectureDefaults(cut: .index(-2), splitPoints: [[0, 6]])
        case (.v1, .mobilenet): return ArchitectureDefaults(cut: .index(-1), splitPoints: [[0, 10]])
        // fastai2 has no meta for mobilenet_v2 and its automatic cut raises StopIteration; Runner uses
        // the documented workaround, create_vision_model(cut=-1) with default_split.
        case (.v2, .mobilenet): return ArchitectureDefaults(cut: .index(-1), splitPoints: [])
        case (.v07, _), (_, .other): return nil
        }
    }

    /// fastai 0.7's `model_meta`, or nil where 0.7 had none.
    static func legacy(_ name: String) -> LegacyMeta? {
        switch Family(name) {
        case .resnet: return LegacyMeta(cut: 8, lrCut: 6)
        case .vgg where name == "vgg16_bn" || name == "vgg19_bn": return LegacyMeta(cut: 0, lrCut: 22)
        case .densenet: return LegacyMeta(cut: 0, lrCut: 7)
        default: return nil
        }
    }

    enum Family {
        case resnet, vgg, alexnet, squeezenet, densenet, mobilenet, other

        init(_ name: String) {
            if name.hasPrefix("resnet") { self = .resnet }
            else if name.hasPrefix("vgg") { self = .vgg }
            else if name == "alexnet" { self = .alexnet }
            else if name.hasPrefix("squeezenet") { self = .squeezenet }
            else if name.hasPrefix("densenet") { self = .densenet }
            else if name.hasPrefix("mobilenet") { self = .mobilenet }
            else { self = .other }
        }

        /// 0.7's vgg and densenet functions returned the torchvision model's `.features`.
        var legacyViewIsFeatures: Bool { self == .vgg || self == .densenet }
    }
}
