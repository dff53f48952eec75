// BodyCut: where the pretrained network ends and the new head begins.

/// `index` is a slice end on the top-level children (negative counts from the end); `name` cuts just
/// before that child; `automatic` is fastai's search for the last child containing a pooling layer.
public enum BodyCut: Equatable, Sendable {
    case index(Int)
    case name(String)
    case automatic
}

/// fastai 0.7's `model_meta[f] = [cut, lr_cut]`: a cut on 0.7's view of the architecture and the
/// child index where the second layer group starts.
public struct LegacyMeta: Equatable, Sendable {
    public var cut: Int
    public var lrCut: Int

    public init(cut: Int, lrCut: Int) {
        self.cut = cut
        self.lrCut = lrCut
    }
}
