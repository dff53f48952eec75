// ValidationSplit: how items are divided into training and validation sets.

import Tensors

public enum ValidationSplit: Equatable, Sendable {
    /// `fraction` of the items, chosen by a permutation seeded with `seed` (fastai `split_by_rand_pct`).
    case random(fraction: Double, seed: UInt64)
    /// Items under `<root>/<train>` train and under `<root>/<valid>` validate; others are ignored
    /// (fastai `split_by_folder`).
    case folder(train: String = "train", valid: String = "valid")
    /// A boolean column of the CSV (fastai `split_from_df`).
    case csvColumn(String = "is_valid")

    /// Indices of `count` items chosen for validation by `.random`. The items are sorted before
    /// this is called, so the choice depends on the seed and the names, not on directory order.
    static func randomValidation(count: Int, fraction: Double, seed: UInt64) -> Set<Int> {
        var rng = RandomGenerator(seed: seed, purpose: "valid-split")
        var order = Array(0..<count)
        for i in stride(from: count - 1, to: 0, by: -1) {
            let j = Int(rng.next() % UInt64(i + 1))
            order.swapAt(i, j)
        }
        return Set(order.prefix(Int(fraction * Double(count))))
    }
}
