// PickleValue: the objects a restricted unpickler builds from a torch checkpoint — plain data, storages and tensor views.

/// What `torch.save` pickles: containers, scalars, strings, and tensors that point into storages
/// kept outside the pickle. Nothing else is ever constructed.
indirect enum PickleValue {
    case none
    case bool(Bool)
    case int(Int)
    /// An integer beyond 64 bits (the legacy format's magic number), little-endian two's complement.
    case bigInt([UInt8])
    case float(Double)
    case string(String)
    case bytes([UInt8])
    /// Items and their nesting depth, kept so that no check walks a tuple twice.
    case tuple([PickleValue], depth: Int)
    case list(PickleList)
    case dict(PickleDict)
    /// A name from the allow-list, not yet called.
    case global(PickleGlobal)
    case storage(StorageReference)
    case tensor(TensorReference)

    /// How deeply containers nest below this value; bounded so that no walk or deallocation recurses without limit.
    var depth: Int {
        switch self {
        case let .tuple(_, depth): return depth
        case let .list(list): return list.depth
        case let .dict(dict): return dict.depth
        default: return 0
        }
    }

    static func tuple(_ items: [PickleValue]) -> PickleValue {
        items.forEach { $0.seal() }
        return .tuple(items, depth: 1 + (items.map(\.depth).max() ?? 0))
    }

    /// Marks a list or dict as placed inside another value.
    func seal() {
        switch self {
        case let .list(list): list.sealed = true
        case let .dict(dict): dict.sealed = true
        default: break
        }
    }

    /// A short description for error messages.
    var kind: String {
        switch self {
        case .none: return "None"
        case .bool: return "bool"
        case .int, .bigInt: return "int"
        case .float: return "float"
        case .string: return "str"
        case .bytes: return "bytes"
        case .tuple: return "tuple"
        case .list: return "list"
        case .dict: return "dict"
        case let .global(name): return name.rawValue
        case .storage: return "storage"
        case .tensor: return "tensor"
        }
    }
}

/// A list is shared by reference, as in Python: the memo and the stack see the same appends.
final class PickleList {
    var items: [PickleValue] = []
    var depth = 1
    /// Set once the list is inside another container: filling it later (through the memo) would
    /// deepen its parents without their depth knowing, so it is refused.
    var sealed = false
}

/// An ordered dict with string or integer keys (a state dict's keys are strings).
final class PickleDict {
    enum Key: Hashable, CustomStringConvertible {
        case string(String)
        case int(Int)

        var description: String {
            switch self {
            case let .string(s): return s
            case let .int(i): return String(i)
            }
        }
    }

    private(set) var keys: [Key] = []
    private(set) var values: [Key: PickleValue] = [:]
    var depth = 1
    /// As `PickleList.sealed`.
    var sealed = false

    func set(_ key: Key, _ value: PickleValue) {
        if values.updateValue(value, forKey: key) == nil { keys.append(key) }
        depth = max(depth, value.depth + 1)
    }

    subscript(key: String) -> PickleValue? { values[.string(key)] }

    var entries: [(key: Key, value: PickleValue)] { keys.compactMap { key in values[key].map { (key, $0) } } }
}

/// The globals a checkpoint may name. Anything else is refused by name, never looked up.
enum PickleGlobal: String, CaseIterable {
    case orderedDict = "collections.OrderedDict"
    case rebuildTensor = "torch._utils._rebuild_tensor"
    case rebuildTensorV2 = "torch._utils._rebuild_tensor_v2"
    case rebuildParameter = "torch._utils._rebuild_parameter"
    case rebuildParameterWithState = "torch._utils._rebuild_parameter_with_state"
    case encode = "_codecs.encode"
    case floatStorage = "torch.FloatStorage"
    case halfStorage = "torch.HalfStorage"
    case bfloat16Storage = "torch.BFloat16Storage"
    case doubleStorage = "torch.DoubleStorage"
    case longStorage = "torch.LongStorage"
    case intStorage = "torch.IntStorage"

    /// The element type of a storage class.
    var storageType: SafeTensors.DType? {
        switch self {
        case .floatStorage: return .f32
        case .halfStorage: return .f16
        case .bfloat16Storage: return .bf16
        case .doubleStorage: return .f64
        case .longStorage: return .i64
        case .intStorage: return .i32
        default: return nil
        }
    }
}

/// A storage named by a persistent id: its key in the file, element type and element count.
/// `offset` is non-zero only for the views of pre-0.4 legacy files.
struct StorageReference {
    var key: String
    var type: SafeTensors.DType
    var count: Int
    var offset = 0
}

/// A tensor as torch rebuilds it: a strided view into a storage.
struct TensorReference {
    var storage: StorageReference
    var offset: Int
    var shape: [Int]
    var strides: [Int]
}
