/// Why a conversion could not be done; one line naming the file.
public enum ConversionError: Error, CustomStringConvertible {
    case missingFile(path: String, what: String)
    case badConfig(path: String, reason: String)
    case unsupportedArchitecture(path: String, found: String)
    case missingWeight(path: String, tensor: String)
    case wrongShape(path: String, tensor: String, expected: [Int], found: [Int])
    case unsupportedDType(path: String, tensor: String, dtype: String)
    case unexpectedTensor(path: String, tensor: String)

    public var description: String {
        switch self {
        case .missingFile(let p, let w): return "\(p): not found (\(w))"
        case .badConfig(let p, let r): return "\(p): \(r)"
        case .unsupportedArchitecture(let p, let f): return "\(p): unsupported architecture '\(f)' (Glimpse converts GPT-J: model_type 'gptj')"
        case .missingWeight(let p, let t): return "\(p): checkpoint has no tensor '\(t)'"
        case .wrongShape(let p, let t, let e, let f): return "\(p): tensor '\(t)' has shape \(f) but config.json implies \(e)"
        case .unsupportedDType(let p, let t, let d): return "\(p): tensor '\(t)' has dtype \(d); weights must be f32, f16 or bf16"
        case .unexpectedTensor(let p, let t): return "\(p): unexpected tensor '\(t)' for GPT-J (is this a GPT-J checkpoint?)"
        }
    }
}
