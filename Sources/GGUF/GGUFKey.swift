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

/// Keys of a vision projector ("mmproj") file, under llama.cpp's `clip.*` namespace; the ResNet
/// family and LiMBeR projection need a few keys llama.cpp does not have (`clip.vision.resnet.*`).
public enum CLIPKey {
    public static let architecture = "clip"
    public static let hasVisionEncoder = "clip.has_vision_encoder"
    public static let projectorType = "clip.projector_type"
    /// "modified_resnet" (CLIP RN50 family); ViTs are not supported yet.
    public static let encoderFamily = "clip.vision.encoder_family"
    public static let imageSize = "clip.vision.image_size"
    /// Channels of the grid the encoder outputs (width * 32 for ModifiedResNet).
    public static let embeddingLength = "clip.vision.embedding_length"
    public static let imageMean = "clip.vision.image_mean"
    public static let imageStd = "clip.vision.image_std"
    /// Side of the square output grid (image_size / 32).
    public static let gridSize = "clip.vision.grid_size"
    /// Bottleneck blocks per stage, e.g. [3, 4, 6, 3] for RN50.
    public static let resnetLayers = "clip.vision.resnet.layers"
    /// Stem width (64 for RN50, 96 for RN50x16).
    public static let resnetWidth = "clip.vision.resnet.width"
    /// Width of the soft tokens (the language model's n_embd).
    public static let projectionDim = "clip.vision.projection_dim"
    public static let layerNormEpsilon = "clip.vision.attention.layer_norm_epsilon"
}

/// Tensor names of a vision projector file. Convolutions carry their BatchNorm folded in as a bias.
public enum CLIPTensorName {
    /// Stem convolutions 1...3.
    public static func stemConv(_ i: Int) -> String { "v.stem.conv\(i)" }
    /// Convolution j (1...3) of block b in stage s (1...4).
    public static func blockConv(_ stage: Int, _ block: Int, _ j: Int) -> String { "v.layer\(stage).\(block).conv\(j)" }
    public static func blockDownsample(_ stage: Int, _ block: Int) -> String { "v.layer\(stage).\(block).downsample" }
    public static let projection = "mm.proj"
    public static let projectionNorm = "mm.ln"
    public static func weight(_ base: String) -> String { base + ".weight" }
    public static func bias(_ base: String) -> String { base + ".bias" }
}
