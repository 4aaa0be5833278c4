/// A pickle reader that only understands what `torch.save` writes for state dicts.
///
/// It never executes anything: GLOBAL/STACK_GLOBAL are checked against `PickleGlobal`'s allow-list
/// and refused otherwise, and REDUCE only "applies" the allowed callables symbolically
/// (OrderedDict() -> empty dict, _rebuild_tensor_v2(...) -> a `TorchTensorRef`).
/// Stack, memo, MARK depth and container nesting are bounded, and no Swift recursion depends on
/// the pickle's shape, so hostile input yields a `CheckpointError`, never a crash.
public struct RestrictedUnpickler {
    /// Resource bounds for one unpickling.
    public struct Limits: Sendable {
        /// Maximum number of values on the stack.
        public var maxStack = 1_000_000
        /// Maximum number of memo entries.
        public var maxMemo = 1_000_000
        /// Maximum number of open MARKs.
        public var maxMarks = 1_000
        /// Maximum container nesting depth.
        public var maxNesting = 1_000

        public init() {}
    }

    let bytes: UnsafeRawBufferPointer
    let fileName: String
    let limits: Limits

    /// - Parameters:
    ///   - bytes: the pickle stream; must stay valid during `load()`.
    ///   - fileName: used in error messages.
    public init(bytes: UnsafeRawBufferPointer, fileName: String, limits: Limits = Limits()) {
        self.bytes = bytes
        self.fileName = fileName
        self.limits = limits
    }

    /// Runs the pickle up to STOP and returns the resulting object graph.
    public func load() throws -> UnpickledObject {
        var machine = PickleMachine(bytes: bytes, file: fileName, limits: limits)
        let root = try machine.run()
        return UnpickledObject(root: root, heap: machine.heap)
    }
}

/// The unpickler's state: stack, marks, memo and heap.
struct PickleMachine {
    let bytes: UnsafeRawBufferPointer
    let file: String
    let limits: RestrictedUnpickler.Limits
    var pos = 0
    /// Offset of the opcode being executed (for error messages).
    var opcodeStart = 0
    var stack: [PickleValue] = []
    var marks: [Int] = []
    var memo: [Int: PickleValue] = [:]
    var heap = PickleHeap()

    init(bytes: UnsafeRawBufferPointer, file: String, limits: RestrictedUnpickler.Limits) {
        self.bytes = bytes
        self.file = file
        self.limits = limits
    }

    func invalid(_ reason: String) -> CheckpointError {
        CheckpointError.invalidPickle(file: file, offset: opcodeStart, reason: reason)
    }

    // MARK: - Reading operands

    mutating func take(_ n: Int) throws -> UnsafeRawBufferPointer {
        guard n >= 0, n <= bytes.count - pos else { throw invalid("operand runs past the end of the pickle") }
        defer { pos += n }
        return UnsafeRawBufferPointer(rebasing: bytes[pos..<(pos + n)])
    }

    mutating func uint(_ n: Int) throws -> UInt64 {
        let b = try take(n)
        var v: UInt64 = 0
        for i in (0..<n).reversed() { v = v << 8 | UInt64(b[i]) }
        return v
    }

    /// A length operand, checked against the bytes left so later reads cannot overrun.
    mutating func length(_ n: Int) throws -> Int {
        let v = try uint(n)
        guard v <= UInt64(bytes.count - pos) else { throw invalid("length \(v) runs past the end of the pickle") }
        return Int(v)
    }

    mutating func line() throws -> String {
        let start = pos
        while pos < bytes.count, bytes[pos] != 0x0A {
            pos += 1
            guard pos - start <= 256 else { throw invalid("GLOBAL name longer than 256 bytes") }
        }
        guard pos < bytes.count else { throw invalid("unterminated GLOBAL name") }
        defer { pos += 1 }
        return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<pos]), as: UTF8.self)
    }

    // MARK: - Stack

    mutating func push(_ v: PickleValue) throws {
        guard stack.count < limits.maxStack else {
            throw CheckpointError.pickleLimit(file: file, reason: "stack holds more than \(limits.maxStack) values")
        }
        stack.append(v)
    }

    /// Pops one value, never below the innermost MARK (as CPython's per-mark stacks behave).
    mutating func pop() throws -> PickleValue {
        guard stack.count > (marks.last ?? 0) else { throw invalid("stack underflow") }
        return stack.removeLast()
    }

    func top() throws -> PickleValue {
        guard stack.count > (marks.last ?? 0), let v = stack.last else { throw invalid("stack underflow") }
        return v
    }

    /// Removes and returns the values pushed since the innermost MARK.
    mutating func popMark() throws -> [PickleValue] {
        guard let m = marks.popLast() else { throw invalid("no MARK on the stack") }
        let items = Array(stack[m...])
        stack.removeSubrange(m...)
        return items
    }

    mutating func memoize(_ index: Int, _ value: PickleValue) throws {
        if memo[index] == nil, memo.count >= limits.maxMemo {
            throw CheckpointError.pickleLimit(file: file, reason: "memo holds more than \(limits.maxMemo) entries")
        }
        memo[index] = value
    }

    mutating func memoGet(_ index: Int) throws {
        guard let v = memo[index] else { throw invalid("memo key \(index) is not defined") }
        try push(v)
    }

    func checkDepth(_ d: Int) throws {
        guard d <= limits.maxNesting else {
            throw CheckpointError.pickleLimit(file: file, reason: "containers nested deeper than \(limits.maxNesting)")
        }
    }

    // MARK: - Containers

    mutating func makeTuple(_ items: [PickleValue]) throws -> PickleValue {
        let d = 1 + (items.map { heap.depth(of: $0) }.max() ?? 0)
        try checkDepth(d)
        heap.tuples.append(items)
        heap.tupleDepths.append(d)
        return .tuple(heap.tuples.count - 1)
    }

    mutating func makeList(_ items: [PickleValue]) throws -> PickleValue {
        heap.lists.append([])
        heap.listDepths.append(1)
        let list = PickleValue.list(heap.lists.count - 1)
        try append(items, to: list)
        return list
    }

    mutating func makeDict(_ items: [PickleValue]) throws -> PickleValue {
        heap.dicts.append(PickleDict())
        heap.dictDepths.append(1)
        let dict = PickleValue.dict(heap.dicts.count - 1)
        try setItems(items, in: dict)
        return dict
    }

    mutating func append(_ items: [PickleValue], to target: PickleValue) throws {
        guard case .list(let i) = target else { throw invalid("APPEND to a \(target.typeName), not a list") }
        let d = 1 + (items.map { heap.depth(of: $0) }.max() ?? 0)
        try checkDepth(d)
        heap.listDepths[i] = max(heap.listDepths[i], d)
        heap.lists[i].append(contentsOf: items)
    }

    mutating func setItems(_ items: [PickleValue], in target: PickleValue) throws {
        guard case .dict(let i) = target else { throw invalid("SETITEM on a \(target.typeName), not a dict") }
        guard items.count % 2 == 0 else { throw invalid("odd number of items for SETITEMS/DICT") }
        let d = 1 + (items.map { heap.depth(of: $0) }.max() ?? 0)
        try checkDepth(d)
        heap.dictDepths[i] = max(heap.dictDepths[i], d)
        var k = 0
        while k < items.count {
            // Keys are hashed on every SETITEM; a long memoized key reused many times would make
            // that quadratic. State-dict keys are short.
            switch items[k] {
            case .string(let s) where s.utf8.count > 4096: throw invalid("dict key longer than 4096 bytes")
            case .bytes(let b) where b.count > 4096: throw invalid("dict key longer than 4096 bytes")
            default: break
            }
            heap.dicts[i].set(items[k], items[k + 1])
            k += 2
        }
    }

    // MARK: - Main loop

    mutating func run() throws -> PickleValue {
        while pos < bytes.count {
            opcodeStart = pos
            let op = bytes[pos]
            pos += 1
            if op == 0x2E { return try pop() }  // STOP
            try execute(op)
        }
        throw CheckpointError.invalidPickle(file: file, offset: bytes.count, reason: "pickle ends without STOP")
    }

    mutating func execute(_ op: UInt8) throws {
        switch op {
        case 0x80:  // PROTO
            let v = try uint(1)
            guard v <= 5 else { throw invalid("unsupported pickle protocol \(v)") }
        case 0x95: _ = try length(8)  // FRAME: framing is only a read-ahead hint
        case 0x28:  // MARK
            guard marks.count < limits.maxMarks else {
                throw CheckpointError.pickleLimit(file: file, reason: "more than \(limits.maxMarks) nested MARKs")
            }
            marks.append(stack.count)
        case 0x30:  // POP (pops a MARK if nothing was pushed after it, as CPython does)
            if let m = marks.last, m == stack.count { marks.removeLast() } else { _ = try pop() }
        case 0x31: _ = try popMark()  // POP_MARK
        case 0x32: try push(try top())  // DUP
        case 0x7D: try push(try makeDict([]))  // EMPTY_DICT
        case 0x5D: try push(try makeList([]))  // EMPTY_LIST
        case 0x29: try push(try makeTuple([]))  // EMPTY_TUPLE
        case 0x74: try push(try makeTuple(try popMark()))  // TUPLE
        case 0x85, 0x86, 0x87:  // TUPLE1/2/3
            var items: [PickleValue] = []
            for _ in 0..<Int(op - 0x84) { items.insert(try pop(), at: 0) }
            try push(try makeTuple(items))
        case 0x6C: try push(try makeList(try popMark()))  // LIST
        case 0x64: try push(try makeDict(try popMark()))  // DICT
        case 0x61:  // APPEND
            let v = try pop()
            try append([v], to: try top())
        case 0x65:  // APPENDS
            let items = try popMark()
            try append(items, to: try top())
        case 0x73:  // SETITEM
            let v = try pop()
            let k = try pop()
            try setItems([k, v], in: try top())
        case 0x75:  // SETITEMS
            let items = try popMark()
            try setItems(items, in: try top())
        case 0x4A: try push(.int(Int(Int32(truncatingIfNeeded: try uint(4)))))  // BININT
        case 0x4B: try push(.int(Int(try uint(1))))  // BININT1
        case 0x4D: try push(.int(Int(try uint(2))))  // BININT2
        case 0x8A: try push(.int(try long1()))  // LONG1
        case 0x47:  // BINFLOAT: big-endian IEEE double
            let b = try take(8)
            var v: UInt64 = 0
            for i in 0..<8 { v = v << 8 | UInt64(b[i]) }
            try push(.float(Double(bitPattern: v)))
        case 0x4E: try push(.none)  // NONE
        case 0x88: try push(.bool(true))  // NEWTRUE
        case 0x89: try push(.bool(false))  // NEWFALSE
        case 0x58: try pushString(try length(4))  // BINUNICODE
        case 0x8C: try pushString(try length(1))  // SHORT_BINUNICODE
        case 0x8D: try pushString(try length(8))  // BINUNICODE8
        case 0x42: try push(.bytes(Array(try take(try length(4)))))  // BINBYTES
        case 0x43: try push(.bytes(Array(try take(try length(1)))))  // SHORT_BINBYTES
        case 0x8E: try push(.bytes(Array(try take(try length(8)))))  // BINBYTES8
        case 0x71: try memoize(Int(try uint(1)), try top())  // BINPUT
        case 0x72: try memoize(Int(try uint(4)), try top())  // LONG_BINPUT
        case 0x68: try memoGet(Int(try uint(1)))  // BINGET
        case 0x6A: try memoGet(Int(try uint(4)))  // LONG_BINGET
        case 0x94: try memoize(memo.count, try top())  // MEMOIZE
        case 0x63:  // GLOBAL "module\nname\n"
            let module = try line()
            let name = try line()
            try push(.global(try resolveGlobal(module: module, name: name)))
        case 0x93:  // STACK_GLOBAL
            let nameValue = try pop()
            let moduleValue = try pop()
            guard case .string(let name) = nameValue, case .string(let module) = moduleValue else {
                throw invalid("STACK_GLOBAL needs two strings")
            }
            try push(.global(try resolveGlobal(module: module, name: name)))
        case 0x52:  // REDUCE
            let args = try pop()
            let callable = try pop()
            try push(try reduce(callable, args))
        case 0x81:  // NEWOBJ: cls.__new__(cls, *args), for TorchScript module classes only
            let args = try pop()
            let cls = try pop()
            try push(try newObject(cls, args))
        case 0x62:  // BUILD
            let state = try pop()
            try build(on: try top(), state: state)
        case 0x51:  // BINPERSID
            try push(try persistentLoad(try pop()))
        default:
            throw CheckpointError.unknownOpcode(file: file, opcode: op, offset: opcodeStart)
        }
    }

    mutating func pushString(_ n: Int) throws {
        // Python writes str with 'surrogatepass'; lossy decoding keeps odd names readable.
        try push(.string(String(decoding: try take(n), as: UTF8.self)))
    }

    /// LONG1: little-endian two's complement, at most 8 bytes (larger ints never occur in torch files).
    mutating func long1() throws -> Int {
        let n = Int(try uint(1))
        guard n <= 8 else { throw invalid("LONG1 integer of \(n) bytes is too large") }
        guard n > 0 else { return 0 }
        let b = try take(n)
        var v: UInt64 = 0
        for i in (0..<n).reversed() { v = v << 8 | UInt64(b[i]) }
        if n < 8, b[n - 1] & 0x80 != 0 { v |= ~0 << UInt64(n * 8) }  // sign-extend
        return Int(Int64(bitPattern: v))
    }
}
