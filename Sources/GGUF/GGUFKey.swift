/// Every GGUF metadata key and tensor name Glimpse uses, spelled once, as llama.cpp / gguf-py name them.
public enum GGUFKey {
    public static let architecture = "general.architecture"
    public static let name = "general.name"
    public static let alignment = "general.alignment"
    public static let fileType = "general.file_type"
    public static let quantizationVersion = "general.quantization_version"

    /// `<arch>.context_length` etc.
    public static func contextLength(_ arch: String) -> String { "\(arch).context_length" }
    public static func embeddingLength(_ arch: String) -> String { "\(arch).embedding_length" }
    public static func blockCount(_ arch: String) -> String { "\(arch).block_count" }
    public static func feedForwardLength(_ arch: String) -> String { "\(arch).feed_forward_length" }
    public static func headCount(_ arch: String) -> String { "\(arch).attention.head_count" }
    public static func layerNormEpsilon(_ arch: String) -> String { "\(arch).attention.layer_norm_epsilon" }
    public static func ropeDimensionCount(_ arch: String) -> String { "\(arch).rope.dimension_count" }
    public static func ropeFreqBase(_ arch: String) -> String { "\(arch).rope.freq_base" }

    public static let tokenizerModel = "tokenizer.ggml.model"
    public static let tokenizerTokens = "tokenizer.ggml.tokens"
    public static let tokenizerTokenType = "tokenizer.ggml.token_type"
    public static let tokenizerMerges = "tokenizer.ggml.merges"
    public static let tokenizerBOS = "tokenizer.ggml.bos_token_id"
    public static let tokenizerEOS = "tokenizer.ggml.eos_token_id"
    public static let tokenizerUnknown = "tokenizer.ggml.unknown_token_id"
    public static let tokenizerPadding = "tokenizer.ggml.padding_token_id"
}

/// llama.cpp token types (tokenizer.ggml.token_type).
public enum GGUFTokenType: Int32, Sendable {
    case normal = 1, unknown = 2, control = 3, userDefined = 4, unused = 5, byte = 6
}

/// GPT-J tensor names as gguf-py's MODEL_ARCH.GPTJ spells them.
public enum GPTJTensorName {
    public static let architecture = "gptj"
    public static let tokenEmbedding = "token_embd.weight"
    public static let outputNormWeight = "output_norm.weight"
    public static let outputNormBias = "output_norm.bias"
    public static let outputWeight = "output.weight"
    public static let outputBias = "output.bias"
    public static func attnNormWeight(_ i: Int) -> String { "blk.\(i).attn_norm.weight" }
    public static func attnNormBias(_ i: Int) -> String { "blk.\(i).attn_norm.bias" }
    public static func attnQ(_ i: Int) -> String { "blk.\(i).attn_q.weight" }
    public static func attnK(_ i: Int) -> String { "blk.\(i).attn_k.weight" }
    public static func attnV(_ i: Int) -> String { "blk.\(i).attn_v.weight" }
    public static func attnOutput(_ i: Int) -> String { "blk.\(i).attn_output.weight" }
    public static func ffnUpWeight(_ i: Int) -> String { "blk.\(i).ffn_up.weight" }
    public static func ffnUpBias(_ i: Int) -> String { "blk.\(i).ffn_up.bias" }
    public static func ffnDownWeight(_ i: Int) -> String { "blk.\(i).ffn_down.weight" }
    public static func ffnDownBias(_ i: Int) -> String { "blk.\(i).ffn_down.bias" }
}
