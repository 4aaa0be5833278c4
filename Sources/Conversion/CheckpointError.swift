/// Why a checkpoint file could not be read. Every message is one line and starts with the file name.
public enum CheckpointError: Error, CustomStringConvertible, Sendable {
    /// The file could not be opened or mapped.
    case cannotOpen(file: String, reason: String)
    /// The file ends before a structure it declares.
    case truncated(file: String, reason: String)
    /// A safetensors header length that is absurd (over the 100 MB limit) or beyond the file.
    case headerTooLarge(file: String, size: UInt64)
    /// A JSON header or index file that is malformed or has the wrong structure.
    case invalidHeader(file: String, reason: String)
    /// A dtype string or storage class this reader does not know.
    case unknownDType(file: String, tensor: String, dtype: String)
    /// A tensor whose bytes would lie outside its data section or storage.
    case dataOutOfBounds(file: String, tensor: String, reason: String)
    /// A tensor whose byte length does not match shape x element size.
    case sizeMismatch(file: String, tensor: String, expected: Int, actual: Int)
    /// A zip structure that is malformed or points outside the file.
    case invalidZip(file: String, reason: String)
    /// A zip entry stored with a compression method this reader does not inflate.
    case unsupportedCompression(file: String, entry: String, method: Int)
    /// A required zip entry is absent.
    case missingEntry(file: String, entry: String)
    /// The pickle names a global outside the allow-list; nothing was executed.
    case forbiddenGlobal(file: String, global: String)
    /// The pickle contains an opcode this restricted unpickler does not implement.
    case unknownOpcode(file: String, opcode: UInt8, offset: Int)
    /// The pickle exceeds a resource limit (stack, memo, nesting).
    case pickleLimit(file: String, reason: String)
    /// The pickle is structurally wrong (stack underflow, wrong argument types, truncated...).
    case invalidPickle(file: String, offset: Int, reason: String)
    /// A torch tensor whose strides are not C-contiguous for its shape.
    case nonContiguous(file: String, tensor: String, shape: [Int], stride: [Int])
    /// A tensor listed in a sharded index is absent from its shard.
    case missingTensor(file: String, tensor: String, shard: String)
    /// The same tensor name occurs twice.
    case duplicateTensor(file: String, tensor: String)
    /// A pre-1.6 (non-zip) torch.save file.
    case legacyTorchFormat(file: String)
    /// Something valid but outside what this reader supports (big-endian, exotic dtypes...).
    case unsupported(file: String, reason: String)

    /// The file path the error refers to.
    public var file: String {
        switch self {
        case .cannotOpen(let f, _), .truncated(let f, _), .headerTooLarge(let f, _), .invalidHeader(let f, _),
             .unknownDType(let f, _, _), .dataOutOfBounds(let f, _, _), .sizeMismatch(let f, _, _, _),
             .invalidZip(let f, _), .unsupportedCompression(let f, _, _), .missingEntry(let f, _),
             .forbiddenGlobal(let f, _), .unknownOpcode(let f, _, _), .pickleLimit(let f, _),
             .invalidPickle(let f, _, _), .nonContiguous(let f, _, _, _), .missingTensor(let f, _, _),
             .duplicateTensor(let f, _), .legacyTorchFormat(let f), .unsupported(let f, _):
            return f
        }
    }

    /// "<file name>: <problem>", one line.
    public var description: String {
        "\(Self.displayName(file)): \(Self.oneLine(problem))"
    }

    private var problem: String {
        switch self {
        case .cannotOpen(_, let r): return "cannot open: \(r)"
        case .truncated(_, let r): return "truncated: \(r)"
        case .headerTooLarge(_, let n): return "header length \(n) is too large (limit 100000000 bytes and the file size)"
        case .invalidHeader(_, let r): return "invalid header: \(r)"
        case .unknownDType(_, let t, let d): return "tensor '\(t)' has unsupported dtype '\(d)'"
        case .dataOutOfBounds(_, let t, let r): return "tensor '\(t)' data out of bounds: \(r)"
        case .sizeMismatch(_, let t, let e, let a): return "tensor '\(t)' has \(a) bytes but its shape and dtype need \(e)"
        case .invalidZip(_, let r): return "invalid zip archive: \(r)"
        case .unsupportedCompression(_, let e, let m):
            return "zip entry '\(e)' uses compression method \(m); only stored (0) entries are supported"
        case .missingEntry(_, let e): return "missing zip entry '\(e)'"
        case .forbiddenGlobal(_, let g): return "pickle refers to forbidden global '\(g)'"
        case .unknownOpcode(_, let op, let off):
            let hex = String(op, radix: 16, uppercase: false)
            return "unsupported pickle opcode 0x\(hex.count < 2 ? "0" + hex : hex) at offset \(off)"
        case .pickleLimit(_, let r): return "pickle exceeds a limit: \(r)"
        case .invalidPickle(_, let off, let r): return "invalid pickle at offset \(off): \(r)"
        case .nonContiguous(_, let t, let shape, let stride):
            return "tensor '\(t)' is not contiguous (shape \(shape), stride \(stride)); save it after .contiguous()"
        case .missingTensor(_, let t, let s): return "tensor '\(t)' listed in the index is not in shard '\(s)'"
        case .duplicateTensor(_, let t): return "tensor '\(t)' occurs more than once"
        case .legacyTorchFormat: return "legacy torch format, re-save with torch>=1.6"
        case .unsupported(_, let r): return r
        }
    }

    /// The last path component, so messages stay short ("pytorch_model.bin: ...").
    static func displayName(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        let name = path[path.index(after: slash)...]
        return name.isEmpty ? path : String(name)
    }

    /// Escapes control characters and caps the length: names inside files are attacker-controlled.
    static func oneLine(_ s: String) -> String {
        var out = ""
        var count = 0
        for scalar in s.unicodeScalars {
            count += 1
            if count > 300 { out += "..."; break }
            if scalar.value < 0x20 || scalar.value == 0x7F {
                out += "\\u{\(String(scalar.value, radix: 16))}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
