// DropoutStreams: one independent random stream per dropout layer of a network, numbered in construction order.

import Tensors

/// Streams are derived from a root without drawing from it, so a network's dropout layers never
/// shift its initialisation or each other.
struct DropoutStreams {
    let root: RandomGenerator
    private var issued: UInt64 = 0

    init(root: RandomGenerator) {
        self.root = root
    }

    mutating func layer(p: Float) -> DropoutLayer {
        issued += 1
        return DropoutLayer(p: p, rng: root.derived(issued))
    }
}
