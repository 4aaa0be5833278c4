/// Everything that can be wrong with a GGUF file; each description is one line naming the file.
public enum GGUFError: Error, CustomStringConvertible, Equatable {
    case notGGUF(path: String)
    case unsupportedVersion(path: String, version: UInt32)
    case truncated(path: String, what: String)
    case malformed(path: String, what: String)
    case unknownTensorType(path: String, tensor: String, type: UInt32)
    case tensorOutOfBounds(path: String, tensor: String)
    case missingKey(path: String, key: String)
    case wrongKeyType(path: String, key: String, expected: String)
    case missingTensor(path: String, tensor: String)
    case shapeMismatch(path: String, tensor: String, expected: [Int], found: [Int])
    case typeNotAllowed(path: String, tensor: String, type: String)
    case cannotWrite(path: String, reason: String)
    case changedDuringRun(path: String, change: String)

    public var description: String {
        switch self {
        case .notGGUF(let p): return "\(p): not a GGUF file (bad magic)"
        case .unsupportedVersion(let p, let v): return "\(p): unsupported GGUF version \(v) (Glimpse reads versions 2 and 3)"
        case .truncated(let p, let w): return "\(p): truncated GGUF file: \(w)"
        case .malformed(let p, let w): return "\(p): malformed GGUF file: \(w)"
        case .unknownTensorType(let p, let t, let ty): return "\(p): tensor '\(t)' has unsupported ggml type \(ty) (Glimpse supports f32, f16, bf16, q8_0, q4_0)"
        case .tensorOutOfBounds(let p, let t): return "\(p): truncated GGUF file: data of tensor '\(t)' extends past the end of the file"
        case .missingKey(let p, let k): return "\(p): missing metadata key '\(k)'"
        case .wrongKeyType(let p, let k, let e): return "\(p): metadata key '\(k)' should be \(e)"
        case .missingTensor(let p, let t): return "\(p): missing tensor '\(t)'"
        case .shapeMismatch(let p, let t, let e, let f): return "\(p): tensor '\(t)' has shape \(f) but the metadata implies \(e)"
        case .typeNotAllowed(let p, let t, let ty): return "\(p): tensor '\(t)' cannot be of type \(ty)"
        case .cannotWrite(let p, let r): return "\(p): cannot write: \(r)"
        case .changedDuringRun(let p, let c): return "\(p): the file \(c) during the run; results written so far are kept"
        }
    }
}
