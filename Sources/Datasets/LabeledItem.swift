// LabeledItem: one image file and its class name.

public struct LabeledItem: Equatable, Hashable, Sendable {
    public var path: String
    public var label: String

    public init(path: String, label: String) {
        self.path = path
        self.label = label
    }
}
