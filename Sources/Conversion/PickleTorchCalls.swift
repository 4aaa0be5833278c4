/// The symbolic "calls" of the restricted unpickler: global resolution, REDUCE, BUILD and
/// persistent ids, limited to what torch.save emits for state dicts.
extension PickleMachine {
    func resolveGlobal(module: String, name: String) throws -> PickleGlobal {
        if let g = PickleGlobal.resolve(module: module, name: name) { return g }
        if let reason = PickleGlobal.unsupportedReason(module: module, name: name) {
            throw CheckpointError.unsupported(file: file, reason: reason)
        }
        throw CheckpointError.forbiddenGlobal(file: file, global: "\(module).\(name)")
    }

    func tupleItems(_ v: PickleValue, _ what: String) throws -> [PickleValue] {
        guard case .tuple(let i) = v else { throw invalid("\(what) must be a tuple, got \(v.typeName)") }
        return heap.tuples[i]
    }

    /// A tuple of at most `maxCount` ints. The bound is checked before copying, so a hostile
    /// pickle cannot make every REDUCE copy one huge memoized tuple.
    func intTuple(_ v: PickleValue, _ what: String, maxCount: Int = 64) throws -> [Int] {
        let items = try tupleItems(v, what)
        guard items.count <= maxCount else { throw invalid("\(what) has \(items.count) entries (limit \(maxCount))") }
        return try items.map {
            guard case .int(let n) = $0 else { throw invalid("\(what) must contain ints, got \($0.typeName)") }
            return n
        }
    }

    /// Applies an allow-listed callable to its argument tuple without running any code.
    mutating func reduce(_ callable: PickleValue, _ argsValue: PickleValue) throws -> PickleValue {
        guard case .global(let g) = callable else { throw invalid("REDUCE on a \(callable.typeName), not a callable") }
        let args = try tupleItems(argsValue, "REDUCE arguments")
        func expectCount(_ counts: ClosedRange<Int>) throws {
            guard counts.contains(args.count) else {
                throw invalid("\(g.qualifiedName) called with \(args.count) arguments")
            }
        }
        switch g {
        case .orderedDict:
            // OrderedDict is pickled as OrderedDict() followed by SETITEMS.
            try expectCount(0...0)
            return try makeDict([])
        case .rebuildTensorV2:
            try expectCount(6...7)
            if args.count == 7 { try checkTensorMetadata(args[6]) }
            return try rebuildTensor(args)
        case .rebuildTensor:
            try expectCount(4...4)
            return try rebuildTensor(args)
        case .rebuildParameter, .rebuildParameterWithState:
            // (tensor, requires_grad, hooks[, state]): the Parameter is just its tensor for us.
            try expectCount(g == .rebuildParameter ? 3...3 : 4...4)
            guard case .tensor = args[0] else { throw invalid("\(g.qualifiedName) applied to a \(args[0].typeName)") }
            return args[0]
        case .storageClass:
            throw invalid("\(g.qualifiedName) cannot be called; storages only appear in persistent ids")
        case .torchScriptClass:
            throw invalid("\(g.qualifiedName) can only be instantiated with NEWOBJ")
        }
    }

    /// `(storage, storage_offset, size, stride, ...)` -> a tensor reference.
    mutating func rebuildTensor(_ args: [PickleValue]) throws -> PickleValue {
        guard case .storage(let s) = args[0] else { throw invalid("tensor storage argument is a \(args[0].typeName)") }
        guard case .int(let offset) = args[1], offset >= 0 else { throw invalid("tensor storage offset must be a non-negative int") }
        let shape = try intTuple(args[2], "tensor size")
        let stride = try intTuple(args[3], "tensor stride")
        guard shape.count == stride.count else { throw invalid("tensor size and stride have different lengths") }
        guard shape.allSatisfy({ $0 >= 0 }) else { throw invalid("tensor size has a negative dimension") }
        heap.tensors.append(TorchTensorRef(storage: heap.storages[s], storageOffset: offset, shape: shape, stride: stride))
        return .tensor(heap.tensors.count - 1)
    }

    /// `_rebuild_tensor_v2`'s optional metadata records conj/neg bits; refuse tensors that set one.
    func checkTensorMetadata(_ v: PickleValue) throws {
        switch v {
        case .none: return
        case .dict(let i):
            // Real metadata has at most a couple of flags; the bound keeps shared dicts cheap.
            guard heap.dicts[i].entries.count <= 8 else { throw invalid("tensor metadata has too many entries") }
            for (key, value) in heap.dicts[i].entries where value != .bool(false) {
                let name = if case .string(let s) = key { s } else { key.typeName }
                throw CheckpointError.unsupported(file: file, reason: "tensor metadata '\(name)' (conj/neg view) is not supported")
            }
        default: throw invalid("tensor metadata is a \(v.typeName)")
        }
    }

    /// NEWOBJ on a TorchScript module class: an empty attribute dict that BUILD fills.
    mutating func newObject(_ cls: PickleValue, _ args: PickleValue) throws -> PickleValue {
        guard case .global(.torchScriptClass(let name)) = cls else {
            throw invalid("NEWOBJ on a \(cls.typeName) is not supported")
        }
        guard try tupleItems(args, "NEWOBJ arguments").isEmpty else { throw invalid("\(name) instantiated with arguments") }
        let object = try makeDict([])
        if case .dict(let i) = object { heap.objectDicts.insert(i) }
        return object
    }

    /// BUILD is only accepted on dicts. A TorchScript object takes its state dict as attributes
    /// (submodules, parameters, buffers); `state_dict()`'s `_metadata` attribute on an OrderedDict is ignored.
    mutating func build(on target: PickleValue, state: PickleValue) throws {
        guard case .dict(let i) = target else { throw invalid("BUILD on a \(target.typeName) is not supported") }
        guard heap.objectDicts.contains(i) else { return }
        guard case .dict(let s) = state else { throw invalid("TorchScript object state is a \(state.typeName), not a dict") }
        try setItems(heap.dicts[s].entries.flatMap { [$0.key, $0.value] }, in: target)
    }

    /// BINPERSID: `('storage', <storage class>, key, location, numel)`.
    mutating func persistentLoad(_ pid: PickleValue) throws -> PickleValue {
        let items = try tupleItems(pid, "persistent id")
        guard items.count == 5, items[0] == .string("storage") else {
            throw invalid("persistent id is not a ('storage', class, key, location, numel) tuple")
        }
        guard case .global(.storageClass(let dtype)) = items[1] else {
            throw invalid("persistent id storage class is a \(items[1].typeName)")
        }
        guard case .string(let key) = items[2], case .string(let location) = items[3],
              case .int(let count) = items[4], count >= 0
        else { throw invalid("persistent id has a wrong key, location or element count") }
        heap.storages.append(TorchStorageRef(key: key, dtype: dtype, elementCount: count, location: location))
        return .storage(heap.storages.count - 1)
    }
}
