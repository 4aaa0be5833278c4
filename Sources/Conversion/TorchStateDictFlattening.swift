extension TorchCheckpointReader {
    /// Longest flattened tensor name accepted (HF names are well under 200 bytes).
    static let maxNameBytes = 1024
    /// Total bytes of all flattened names: bounds output when one tensor is referenced many times.
    static let maxTotalNameBytes = 64 << 20

    /// Collects tensors from the unpickled object: the root must be a dict; nested dicts, lists and
    /// tuples contribute "."-joined names (`{"model": {"w": t}}` -> "model.w", lists -> "layers.0");
    /// other leaves (ints, strings, None...) are skipped.
    static func flatten(_ object: UnpickledObject, path: String) throws -> [(String, TorchTensorRef)] {
        guard case .dict = object.root else {
            throw CheckpointError.unsupported(file: path, reason: "top-level pickle object is a \(object.root.typeName), not a dict")
        }
        let heap = object.heap
        var out: [(String, TorchTensorRef)] = []
        // Explicit stack (no recursion on pickle-controlled depth); each container is visited once,
        // which also stops cycles and exponential blow-up through shared containers.
        var work: [(prefix: String, value: PickleValue)] = [("", object.root)]
        var visited: Set<PickleValue> = [object.root]
        var totalNameBytes = 0

        func join(_ prefix: String, _ key: String) throws -> String {
            let length = prefix.utf8.count + 1 + key.utf8.count
            totalNameBytes += length
            guard length <= maxNameBytes, totalNameBytes <= maxTotalNameBytes else {
                throw CheckpointError.unsupported(file: path, reason: "flattened tensor names are too long (limits \(maxNameBytes) bytes each, \(maxTotalNameBytes) in total)")
            }
            return prefix.isEmpty ? key : prefix + "." + key
        }

        while let (prefix, value) = work.popLast() {
            if case .tensor(let i) = value {
                out.append((prefix, heap.tensors[i]))
                continue
            }
            let entries: [(key: PickleValue, value: PickleValue)]
            switch value {
            case .dict(let i): entries = heap.dicts[i].entries
            case .list(let i): entries = heap.lists[i].enumerated().map { (.int($0.offset), $0.element) }
            case .tuple(let i): entries = heap.tuples[i].enumerated().map { (.int($0.offset), $0.element) }
            default: continue
            }
            var children: [(String, PickleValue)] = []
            for (key, child) in entries {
                // Only tensors and not-yet-visited containers get a name; scalars are dropped here.
                switch child {
                case .tensor: break
                case .dict, .list, .tuple: guard visited.insert(child).inserted else { continue }
                default: continue
                }
                switch key {
                case .string(let s): children.append((try join(prefix, s), child))
                case .int(let n): children.append((try join(prefix, String(n)), child))
                default:
                    throw CheckpointError.unsupported(file: path, reason: "dict key of type \(key.typeName) under '\(prefix)'")
                }
            }
            work.append(contentsOf: children.reversed())
        }
        return out
    }
}
