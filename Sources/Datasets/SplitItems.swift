// SplitItems: training and validation items with the sorted class list; label indices refer to `classes`.

public struct SplitItems: Equatable, Sendable {
    public var train: [LabeledItem]
    public var valid: [LabeledItem]
    /// Sorted, so class indices do not depend on file order.
    public var classes: [String]

    /// Builds the class list from every item and rejects a task with fewer than two classes.
    public init(train: [LabeledItem], valid: [LabeledItem], source: String) throws {
        guard !train.isEmpty else { throw DataError.emptySplit(source: source, split: "training") }
        let classes = Set((train + valid).map(\.label)).sorted()
        if classes.count < 2 { throw DataError.singleClass(source: source, label: classes.first ?? "") }
        self.train = train
        self.valid = valid
        self.classes = classes
    }

    public func labelIndices(_ items: [LabeledItem]) -> [Int] {
        let index = Dictionary(uniqueKeysWithValues: classes.enumerated().map { ($1, $0) })
        return items.map { index[$0.label] ?? -1 }
    }
}
