/// What Generation needs from a decoder-only model session (GPT-J implements it). A session owns
/// mutable state (KV cache, scratch); the model weights behind it are immutable and shared.
public protocol DecoderSession: AnyObject {
    /// Logits per position (may exceed the tokenizer's size: GPT-J pads to 50400).
    var vocabularySize: Int { get }
    /// Width of one input embedding.
    var embeddingWidth: Int { get }
    /// Maximum positions (KV cache capacity).
    var contextLength: Int { get }
    /// Positions already in the cache.
    var position: Int { get }

    /// Token embeddings for ids, (ids.count, embeddingWidth) row-major.
    func embed(_ ids: [Int32]) throws -> [Float]

    /// Appends `count` input embeddings ((count, embeddingWidth) row-major) after the cached positions
    /// and returns logits (rows, vocabularySize) for the last position, or for every new position
    /// when `allLogits` is true.
    func forward(_ embeddings: [Float], count: Int, allLogits: Bool) throws -> [Float]

    /// Drops cached positions at and after `length`.
    func truncate(to length: Int)
}

/// Errors raised while generating.
public enum GenerationError: Error, CustomStringConvertible, Equatable {
    case contextOverflow(needed: Int, context: Int)
    case emptyPrompt
    case tokenOutOfRange(id: Int32, vocabulary: Int)
    case badSamplerSetting(String)
    case batchTooLarge(requested: Int, limit: Int)

    public var description: String {
        switch self {
        case .contextOverflow(let n, let c): return "prompt needs \(n) positions but the context holds \(c)"
        case .emptyPrompt: return "the prompt is empty: give at least one token or image"
        case .tokenOutOfRange(let id, let v): return "token id \(id) is outside the vocabulary (\(v))"
        case .badSamplerSetting(let s): return s
        case .batchTooLarge(let r, let l): return "a batch of \(r) sequences is more than the \(l) this session decodes together"
        }
    }
}
