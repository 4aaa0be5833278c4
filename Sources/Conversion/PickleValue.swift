/// A value produced by `RestrictedUnpickler`.
///
/// Containers are indices into a `PickleHeap`, so values stay flat: no deep recursive destruction
/// and no reference cycles, whatever nesting or self-reference a hostile pickle builds.
public enum PickleValue: Sendable, Hashable {
    case none
    case bool(Bool)
    case int(Int)
    case float(Double)
    case string(String)
    case bytes([UInt8])
    /// Index into `PickleHeap.tuples`.
    case tuple(Int)
    /// Index into `PickleHeap.lists`.
    case list(Int)
    /// Index into `PickleHeap.dicts` (dict and OrderedDict alike).
    case dict(Int)
    /// An allow-listed global (class or function), never executed.
    case global(PickleGlobal)
    /// Index into `PickleHeap.storages`: a torch storage persistent id.
    case storage(Int)
    /// Index into `PickleHeap.tensors`: the arguments of a `_rebuild_tensor*` call.
    case tensor(Int)

    /// Short type name for error messages.
    public var typeName: String {
        switch self {
        case .none: return "None"
        case .bool: return "bool"
        case .int: return "int"
        case .float: return "float"
        case .string: return "str"
        case .bytes: return "bytes"
        case .tuple: return "tuple"
        case .list: return "list"
        case .dict: return "dict"
        case .global(let g): return g.qualifiedName
        case .storage: return "storage"
        case .tensor: return "tensor"
        }
    }
}

/// The only globals a pickle may name. Anything else is refused when the GLOBAL opcode is read.
public enum PickleGlobal: Sendable, Hashable {
    /// `collections.OrderedDict` (state dicts and backward-hook placeholders).
    case orderedDict
    /// `torch._utils._rebuild_tensor_v2(storage, offset, size, stride, requires_grad, hooks[, metadata])`.
    case rebuildTensorV2
    /// `torch._utils._rebuild_tensor(storage, offset, size, stride)` (old torch).
    case rebuildTensor
    /// `torch._utils._rebuild_parameter(tensor, requires_grad, hooks)` (nn.Parameter saved directly).
    case rebuildParameter
    /// `torch._utils._rebuild_parameter_with_state(tensor, requires_grad, hooks, state)`.
    case rebuildParameterWithState
    /// A typed storage class such as `torch.FloatStorage`, used inside storage persistent ids.
    case storageClass(SourceDType)
    /// A TorchScript module class (`__torch__.clip.model.CLIP`, `__torch__.torch.nn.modules.conv.___torch_mangle_3.Conv2d`)
    /// in a `torch.jit.save` archive. NEWOBJ makes a plain attribute dict of it; its code is never run.
    case torchScriptClass(String)

    /// "module.name" as written in the pickle.
    public var qualifiedName: String {
        switch self {
        case .orderedDict: return "collections.OrderedDict"
        case .rebuildTensorV2: return "torch._utils._rebuild_tensor_v2"
        case .rebuildTensor: return "torch._utils._rebuild_tensor"
        case .rebuildParameter: return "torch._utils._rebuild_parameter"
        case .rebuildParameterWithState: return "torch._utils._rebuild_parameter_with_state"
        case .storageClass(let d): return "torch.\(Self.storageClassNames.first { $0.value == d }?.key ?? "?")"
        case .torchScriptClass(let name): return name
        }
    }

    static let storageClassNames: [String: SourceDType] = [
        "FloatStorage": .f32, "HalfStorage": .f16, "BFloat16Storage": .bf16, "DoubleStorage": .f64,
        "LongStorage": .i64, "IntStorage": .i32, "ShortStorage": .i16, "CharStorage": .i8,
        "ByteStorage": .u8, "BoolStorage": .bool,
    ]

    /// Resolves `module.name` against the allow-list; nil means forbidden.
    public static func resolve(module: String, name: String) -> PickleGlobal? {
        switch (module, name) {
        case ("collections", "OrderedDict"): return .orderedDict
        case ("torch._utils", "_rebuild_tensor_v2"): return .rebuildTensorV2
        case ("torch._utils", "_rebuild_tensor"): return .rebuildTensor
        case ("torch._utils", "_rebuild_parameter"): return .rebuildParameter
        case ("torch._utils", "_rebuild_parameter_with_state"): return .rebuildParameterWithState
        case ("torch", _): return storageClassNames[name].map { .storageClass($0) }
        case (let m, _) where m == "__torch__" || m.hasPrefix("__torch__."): return .torchScriptClass("\(module).\(name)")
        default: return nil
        }
    }

    /// A clearer refusal for harmless torch globals this reader cannot represent.
    static func unsupportedReason(module: String, name: String) -> String? {
        if module == "torch._utils", name == "_rebuild_tensor_v3" {
            return "tensor dtype without a legacy storage class (torch._utils._rebuild_tensor_v3: uint16/32/64 or float8) is not supported"
        }
        if module == "torch", name.hasSuffix("Storage") {
            return "storage type torch.\(name) is not supported"
        }
        return nil
    }
}

/// A torch storage persistent id: `('storage', <storage class>, key, location, numel)`.
public struct TorchStorageRef: Sendable, Hashable {
    /// Archive entry key: the bytes are in `<prefix>/data/<key>`.
    public let key: String
    /// Element type from the storage class.
    public let dtype: SourceDType
    /// Storage length in elements (as recorded by torch.save).
    public let elementCount: Int
    /// Device the storage was saved from ("cpu", "cuda:0"); informational.
    public let location: String
}

/// A tensor rebuilt (symbolically) from `_rebuild_tensor_v2` / `_rebuild_tensor` arguments.
public struct TorchTensorRef: Sendable, Hashable {
    /// The storage the tensor views.
    public let storage: TorchStorageRef
    /// Offset into the storage, in elements.
    public let storageOffset: Int
    /// Sizes, outermost first.
    public let shape: [Int]
    /// Strides in elements.
    public let stride: [Int]
}

/// A dict (or OrderedDict) built by the unpickler, keeping insertion order.
public struct PickleDict: Sendable {
    /// Entries in insertion order; re-setting a key replaces its value in place, as in Python.
    public internal(set) var entries: [(key: PickleValue, value: PickleValue)] = []
    var positions: [PickleValue: Int] = [:]

    mutating func set(_ key: PickleValue, _ value: PickleValue) {
        if let i = positions[key] {
            entries[i].value = value
        } else {
            positions[key] = entries.count
            entries.append((key, value))
        }
    }
}

/// Storage for every container and torch object an unpickling produced.
public struct PickleHeap: Sendable {
    /// Tuples, indexed by `PickleValue.tuple`.
    public internal(set) var tuples: [[PickleValue]] = []
    /// Lists, indexed by `PickleValue.list`.
    public internal(set) var lists: [[PickleValue]] = []
    /// Dicts and OrderedDicts, indexed by `PickleValue.dict`.
    public internal(set) var dicts: [PickleDict] = []
    /// Storage persistent ids, indexed by `PickleValue.storage`.
    public internal(set) var storages: [TorchStorageRef] = []
    /// Rebuilt tensors, indexed by `PickleValue.tensor`.
    public internal(set) var tensors: [TorchTensorRef] = []
    // Nesting depth of each container, maintained on insertion (see RestrictedUnpickler.Limits).
    var tupleDepths: [Int] = []
    var listDepths: [Int] = []
    var dictDepths: [Int] = []
    /// Dicts that stand for TorchScript module objects: BUILD fills them with their attributes.
    var objectDicts: Set<Int> = []

    /// Nesting depth of a value: 0 for scalars, 1 + the deepest child for containers.
    func depth(of value: PickleValue) -> Int {
        switch value {
        case .tuple(let i): return tupleDepths[i]
        case .list(let i): return listDepths[i]
        case .dict(let i): return dictDepths[i]
        default: return 0
        }
    }
}

/// The result of unpickling: the root value and the heap its indices refer to.
public struct UnpickledObject: Sendable {
    /// The value STOP returned.
    public let root: PickleValue
    /// Containers and torch objects that `root` (transitively) refers to.
    public let heap: PickleHeap
}
