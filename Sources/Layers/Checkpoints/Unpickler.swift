// Unpickler: a restricted reader for the pickles torch.save writes (protocol 2, and the protocol-4 opcodes torch may emit).

/// Builds only `PickleValue`s: containers, scalars, strings, `collections.OrderedDict`, storages
/// named by persistent ids, and tensors through `torch._utils` rebuild functions. Any other global
/// is refused with its name — never imported, called or skipped. Every length and index is checked
/// against the bytes at hand before anything is allocated, nesting is bounded, and the memo is a
/// dictionary, so a hostile file gets an error, never a crash or an allocation without bound.
struct Unpickler {
    static let maxNesting = 200
    static let maxMemo = 1 << 22
    /// Values created; each costs tens of bytes for one byte of pickle, so their number is bounded
    /// (a state dict pickles about 20 per tensor).
    static let maxValues = 1 << 22

    let bytes: UnsafeRawBufferPointer
    let path: String
    /// Where the pickle starts in the file, for error offsets.
    let base: Int
    /// Turns a persistent id into a storage; torch's id is ('storage', type, key, location, count[, view]).
    var persistentLoad: (PickleValue) throws -> PickleValue

    private var position = 0
    private var stack: [PickleValue] = []
    private var marks: [Int] = []
    private var memo: [Int: PickleValue] = [:]
    private var created = 0

    init(bytes: UnsafeRawBufferPointer, path: String, base: Int = 0,
         persistentLoad: @escaping (PickleValue) throws -> PickleValue) {
        self.bytes = bytes
        self.path = path
        self.base = base
        self.persistentLoad = persistentLoad
    }

    /// Reads one pickle from the start of `bytes`; returns the object and the bytes it took.
    mutating func load() throws -> (value: PickleValue, length: Int) {
        while true {
            let at = position
            let opcode = try byte()
            if opcode == 0x2E {                                        // STOP
                guard marks.isEmpty, stack.count == 1, let value = stack.last else {
                    throw fail(at, "STOP with \(stack.count) values on the stack")
                }
                return (value, position)
            }
            let handled = try stackOpcode(opcode, at) || scalarOpcode(opcode, at) || containerOpcode(opcode, at)
                || objectOpcode(opcode, at)
            guard handled else {
                throw fail(at, String(format: "opcode 0x%02X is not one torch.save writes", Int(opcode)))
            }
        }
    }

    // MARK: opcodes

    /// Framing, marks, stack manipulation and the memo; false for any other opcode.
    private mutating func stackOpcode(_ opcode: UInt8, _ at: Int) throws -> Bool {
        switch opcode {
        case 0x80: _ = try byte()                                  // PROTO
        case 0x95: _ = try take(8)                                 // FRAME: a length hint only
        case 0x28:                                                 // MARK
            guard marks.count < Self.maxNesting else { throw fail(at, "nesting deeper than \(Self.maxNesting)") }
            marks.append(stack.count)
        case 0x30: _ = try pop(at)                                 // POP
        case 0x31: _ = try popMark(at)                             // POP_MARK
        case 0x32: try push(try top(at), at)                       // DUP
        case 0x71: try memoize(Int(try byte()), at)                // BINPUT
        case 0x72: try memoize(Int(try unsigned(4)), at)           // LONG_BINPUT
        case 0x94: try memoize(memo.count, at)                     // MEMOIZE
        case 0x68: try push(try recall(Int(try byte()), at), at)   // BINGET
        case 0x6A: try push(try recall(Int(try unsigned(4)), at), at) // LONG_BINGET
        default: return false
        }
        return true
    }

    /// None, booleans, integers, floats, strings and bytes; false for any other opcode.
    private mutating func scalarOpcode(_ opcode: UInt8, _ at: Int) throws -> Bool {
        switch opcode {
        case 0x4E: try push(.none, at)                             // NONE
        case 0x88: try push(.bool(true), at)                       // NEWTRUE
        case 0x89: try push(.bool(false), at)                      // NEWFALSE
        case 0x4B: try push(.int(Int(try byte())), at)             // BININT1
        case 0x4D: try push(.int(Int(try unsigned(2))), at)        // BININT2
        case 0x4A: try push(.int(Int(Int32(truncatingIfNeeded: try unsigned(4)))), at)  // BININT
        case 0x8A: try push(try long(count: Int(try byte()), at), at)                   // LONG1
        case 0x8B: try push(try long(count: try length(4, at), at), at)                 // LONG4
        case 0x47:                                                 // BINFLOAT, big-endian
            let raw = try take(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            try push(.float(Double(bitPattern: raw)), at)
        case 0x58: try push(try text(try length(4, at), at), at)   // BINUNICODE
        case 0x8C: try push(try text(Int(try byte()), at), at)     // SHORT_BINUNICODE
        case 0x8D: try push(try text(try length(8, at), at), at)   // BINUNICODE8
        case 0x54: try push(try latin1(try length(4, at)), at)     // BINSTRING (Python 2 str)
        case 0x55: try push(try latin1(Int(try byte())), at)       // SHORT_BINSTRING
        case 0x42: try push(.bytes(Array(try take(try length(4, at)))), at)   // BINBYTES
        case 0x43: try push(.bytes(Array(try take(Int(try byte())))), at)     // SHORT_BINBYTES
        case 0x8E: try push(.bytes(Array(try take(try length(8, at)))), at)   // BINBYTES8
        default: return false
        }
        return true
    }

    /// Tuples, lists and dicts, and filling them; false for any other opcode.
    private mutating func containerOpcode(_ opcode: UInt8, _ at: Int) throws -> Bool {
        switch opcode {
        case 0x29: try push(.tuple([]), at)                        // EMPTY_TUPLE
        case 0x85: try push(.tuple([try pop(at)]), at)             // TUPLE1
        case 0x86:                                                 // TUPLE2
            let b = try pop(at), a = try pop(at)
            try push(.tuple([a, b]), at)
        case 0x87:                                                 // TUPLE3
            let c = try pop(at), b = try pop(at), a = try pop(at)
            try push(.tuple([a, b, c]), at)
        case 0x74: try push(.tuple(try popMark(at)), at)           // TUPLE
        case 0x5D: try push(.list(PickleList()), at)               // EMPTY_LIST
        case 0x6C:                                                 // LIST
            let list = PickleList()
            try append(try popMark(at), to: list, at)
            try push(.list(list), at)
        case 0x7D: try push(.dict(PickleDict()), at)               // EMPTY_DICT
        case 0x64:                                                 // DICT
            let dict = PickleDict()
            try setItems(try popMark(at), in: dict, at)
            try push(.dict(dict), at)
        case 0x61:                                                 // APPEND
            let value = try pop(at)
            guard case let .list(list) = try top(at) else { throw fail(at, "APPEND to a \(try top(at).kind)") }
            try append([value], to: list, at)
        case 0x65:                                                 // APPENDS
            let values = try popMark(at)
            guard case let .list(list) = try top(at) else { throw fail(at, "APPENDS to a \(try top(at).kind)") }
            try append(values, to: list, at)
        case 0x73:                                                 // SETITEM
            let value = try pop(at), key = try pop(at)
            guard case let .dict(dict) = try top(at) else { throw fail(at, "SETITEM on a \(try top(at).kind)") }
            try setItems([key, value], in: dict, at)
        case 0x75:                                                 // SETITEMS
            let values = try popMark(at)
            guard case let .dict(dict) = try top(at) else { throw fail(at, "SETITEMS on a \(try top(at).kind)") }
            try setItems(values, in: dict, at)
        default: return false
        }
        return true
    }

    /// Globals, calls to them, object state and persistent ids; false for any other opcode.
    private mutating func objectOpcode(_ opcode: UInt8, _ at: Int) throws -> Bool {
        switch opcode {
        case 0x63:                                                 // GLOBAL "module\nname\n"
            let module = try line(at), name = try line(at)
            try push(.global(try global(module, name, at)), at)
        case 0x93:                                                 // STACK_GLOBAL
            guard case let .string(name) = try pop(at), case let .string(module) = try pop(at) else {
                throw fail(at, "STACK_GLOBAL without two strings")
            }
            try push(.global(try global(module, name, at)), at)
        case 0x52:                                                 // REDUCE
            let arguments = try pop(at), callable = try pop(at)
            guard case let .global(function) = callable, case let .tuple(args, _) = arguments else {
                throw fail(at, "REDUCE of a \(callable.kind) with \(arguments.kind) arguments")
            }
            try push(try call(function, args, at), at)
        case 0x62:                                                 // BUILD: set an object's state
            let state = try pop(at)
            switch try top(at) {
            case .dict, .tensor:
                // An OrderedDict's `_metadata` and a parameter's Python attributes: nothing Runner uses.
                _ = state
            default:
                throw fail(at, "BUILD on a \(try top(at).kind)")
            }
        case 0x51:                                                 // BINPERSID
            try push(try persistentLoad(try pop(at)), at)
        default: return false
        }
        return true
    }

    // MARK: calls

    private func call(_ function: PickleGlobal, _ args: [PickleValue], _ at: Int) throws -> PickleValue {
        switch function {
        case .orderedDict:
            let dict = PickleDict()
            if case let .list(pairs)? = args.first {
                for pair in pairs.items {
                    guard case let .tuple(kv, _) = pair, kv.count == 2 else { throw fail(at, "OrderedDict of non-pairs") }
                    try setItems(kv, in: dict, at)
                }
            } else if !args.isEmpty {
                throw fail(at, "OrderedDict called with \(args.map(\.kind))")
            }
            return .dict(dict)
        case .rebuildTensor, .rebuildTensorV2:
            guard args.count >= 4, case let .storage(storage) = args[0], case let .int(offset) = args[1],
                  let shape = integers(args[2]), let strides = integers(args[3]), shape.count == strides.count else {
                throw fail(at, "\(function.rawValue) called with \(args.map(\.kind))")
            }
            return .tensor(TensorReference(storage: storage, offset: offset, shape: shape, strides: strides))
        case .rebuildParameter, .rebuildParameterWithState:
            guard case .tensor? = args.first else { throw fail(at, "\(function.rawValue) of a \(args.first?.kind ?? "nothing")") }
            return args[0]
        case .encode:
            // Protocol 2 pickles Python 3 bytes as _codecs.encode(text, "latin1").
            guard args.count == 2, case let .string(text) = args[0], case let .string(encoding) = args[1],
                  encoding == "latin1" || encoding == "latin-1" else {
                throw fail(at, "_codecs.encode called with \(args.map(\.kind))")
            }
            var result: [UInt8] = []
            for scalar in text.unicodeScalars {
                guard scalar.value < 256 else { throw fail(at, "_codecs.encode of a non-latin1 string") }
                result.append(UInt8(scalar.value))
            }
            return .bytes(result)
        default:
            throw fail(at, "\(function.rawValue) is not callable")
        }
    }

    private func integers(_ value: PickleValue) -> [Int]? {
        guard case let .tuple(items, _) = value else { return nil }
        var result: [Int] = []
        for item in items {
            guard case let .int(i) = item else { return nil }
            result.append(i)
        }
        return result
    }

    private func global(_ module: String, _ name: String, _ at: Int) throws -> PickleGlobal {
        let full = module + "." + name
        guard let known = PickleGlobal(rawValue: full) else {
            throw WeightsError.forbiddenGlobal(path: path, name: full)
        }
        return known
    }

    // MARK: stack and memo

    private mutating func push(_ value: PickleValue, _ at: Int) throws {
        guard value.depth <= Self.maxNesting else { throw fail(at, "containers nested deeper than \(Self.maxNesting)") }
        created += 1
        guard created <= Self.maxValues else { throw fail(at, "more than \(Self.maxValues) values") }
        stack.append(value)
    }

    private mutating func pop(_ at: Int) throws -> PickleValue {
        guard stack.count > (marks.last ?? 0), let value = stack.popLast() else { throw fail(at, "stack underflow") }
        return value
    }

    private func top(_ at: Int) throws -> PickleValue {
        guard stack.count > (marks.last ?? 0), let value = stack.last else { throw fail(at, "stack underflow") }
        return value
    }

    private mutating func popMark(_ at: Int) throws -> [PickleValue] {
        guard let mark = marks.popLast() else { throw fail(at, "no MARK") }
        let values = Array(stack[mark...])
        stack.removeSubrange(mark...)
        return values
    }

    private mutating func memoize(_ index: Int, _ at: Int) throws {
        guard memo.count < Self.maxMemo || memo[index] != nil else { throw fail(at, "more than \(Self.maxMemo) memo entries") }
        memo[index] = try top(at)
    }

    private func recall(_ index: Int, _ at: Int) throws -> PickleValue {
        guard let value = memo[index] else { throw fail(at, "memo index \(index) was never stored") }
        return value
    }

    private func append(_ values: [PickleValue], to list: PickleList, _ at: Int) throws {
        guard !list.sealed else { throw fail(at, "APPEND to a list that is already inside another value") }
        for value in values {
            value.seal()
            let depth = value.depth + 1
            guard depth <= Self.maxNesting else { throw fail(at, "containers nested deeper than \(Self.maxNesting)") }
            list.depth = max(list.depth, depth)
        }
        list.items.append(contentsOf: values)
    }

    private func setItems(_ values: [PickleValue], in dict: PickleDict, _ at: Int) throws {
        guard values.count % 2 == 0 else { throw fail(at, "odd number of dict items") }
        guard !dict.sealed else { throw fail(at, "SETITEM on a dict that is already inside another value") }
        for i in stride(from: 0, to: values.count, by: 2) {
            let key: PickleDict.Key
            switch values[i] {
            case let .string(s): key = .string(s)
            case let .int(n): key = .int(n)
            default: throw fail(at, "a dict key of type \(values[i].kind)")
            }
            guard values[i + 1].depth + 1 <= Self.maxNesting else {
                throw fail(at, "containers nested deeper than \(Self.maxNesting)")
            }
            values[i + 1].seal()
            dict.set(key, values[i + 1])
        }
    }

    // MARK: bytes

    private mutating func byte() throws -> UInt8 {
        guard position < bytes.count else { throw truncated() }
        defer { position += 1 }
        return bytes[position]
    }

    private mutating func take(_ count: Int) throws -> UnsafeRawBufferPointer.SubSequence {
        guard count >= 0, count <= bytes.count - position else { throw truncated(needing: count) }
        defer { position += count }
        return bytes[position..<(position + count)]
    }

    private mutating func unsigned(_ count: Int) throws -> UInt64 {
        try take(count).reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
    }

    /// A length field, checked against what is left before anything is allocated.
    private mutating func length(_ width: Int, _ at: Int) throws -> Int {
        let value = try unsigned(width)
        guard value <= UInt64(bytes.count - position) else {
            throw fail(at, "a length of \(value) bytes where \(bytes.count - position) remain")
        }
        return Int(value)
    }

    private mutating func long(count: Int, _ at: Int) throws -> PickleValue {
        let digits = Array(try take(count))
        guard count <= 8 else { return .bigInt(digits) }
        guard count > 0 else { return .int(0) }
        var value: UInt64 = 0
        for (i, digit) in digits.enumerated() { value |= UInt64(digit) << (8 * UInt64(i)) }
        // Sign-extend from the highest byte written.
        if count < 8, digits[count - 1] & 0x80 != 0 { value |= ~UInt64(0) << (8 * UInt64(count)) }
        return .int(Int(Int64(bitPattern: value)))
    }

    private mutating func text(_ count: Int, _ at: Int) throws -> PickleValue {
        guard let string = String(validating: try take(count), as: UTF8.self) else {
            throw fail(at, "a string that is not UTF-8")
        }
        return .string(string)
    }

    private mutating func latin1(_ count: Int) throws -> PickleValue {
        .string(String(String.UnicodeScalarView(try take(count).map { Unicode.Scalar($0) })))
    }

    private mutating func line(_ at: Int) throws -> String {
        guard let end = bytes[position...].prefix(256).firstIndex(of: 0x0A) else {
            throw fail(at, "GLOBAL name without a line end within 256 bytes")
        }
        let text = String(decoding: bytes[position..<end], as: UTF8.self)
        position = end + 1
        return text
    }

    private func truncated(needing count: Int = 1) -> WeightsError {
        .badCheckpoint(path: path, reason: "the pickle at byte \(base) ends early (needs \(count) more bytes at byte \(base + position))")
    }

    private func fail(_ at: Int, _ reason: String) -> WeightsError {
        .badCheckpoint(path: path, reason: "pickle byte \(base + at): \(reason)")
    }
}
