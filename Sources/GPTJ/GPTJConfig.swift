import GGUF

/// GPT-J hyperparameters as stored under `gptj.*` in GGUF (transformers' GPTJConfig names in comments).
public struct GPTJConfig: Sendable, Equatable {
    /// Rows of token_embd and of the lm_head (vocab_size; 50400 for GPT-J-6B, padded past the tokenizer).
    public var vocabularySize: Int
    /// Positions (n_positions, 2048).
    public var contextLength: Int
    /// Model width (n_embd, 4096).
    public var embeddingWidth: Int
    /// Attention heads (n_head, 16).
    public var headCount: Int
    /// Blocks (n_layer, 28).
    public var layerCount: Int
    /// Rotary dimensions per head (rotary_dim, 64).
    public var rotaryDimensions: Int
    /// MLP inner width (n_inner, 4 * n_embd).
    public var feedForwardWidth: Int
    /// LayerNorm epsilon (layer_norm_epsilon, 1e-5).
    public var layerNormEpsilon: Float
    /// Rotary base (10000 for GPT-J).
    public var ropeBase: Float

    public var headDimension: Int { embeddingWidth / headCount }

    public init(vocabularySize: Int, contextLength: Int, embeddingWidth: Int, headCount: Int, layerCount: Int,
                rotaryDimensions: Int, feedForwardWidth: Int, layerNormEpsilon: Float, ropeBase: Float = 10000) {
        self.vocabularySize = vocabularySize
        self.contextLength = contextLength
        self.embeddingWidth = embeddingWidth
        self.headCount = headCount
        self.layerCount = layerCount
        self.rotaryDimensions = rotaryDimensions
        self.feedForwardWidth = feedForwardWidth
        self.layerNormEpsilon = layerNormEpsilon
        self.ropeBase = ropeBase
    }

    /// Reads `gptj.*` keys; the vocabulary size comes from token_embd's shape.
    public init(gguf: GGUFFile) throws {
        let arch = try gguf.string(GGUFKey.architecture)
        guard arch == GPTJTensorName.architecture else {
            throw GGUFError.malformed(path: gguf.path, what: "architecture '\(arch)' is not supported (Glimpse runs 'gptj')")
        }
        guard let embd = gguf.info(GPTJTensorName.tokenEmbedding), embd.shape.count == 2 else {
            throw GGUFError.missingTensor(path: gguf.path, tensor: GPTJTensorName.tokenEmbedding)
        }
        self.init(
            vocabularySize: embd.shape[0],
            contextLength: try gguf.int(GGUFKey.contextLength(arch)),
            embeddingWidth: try gguf.int(GGUFKey.embeddingLength(arch)),
            headCount: try gguf.int(GGUFKey.headCount(arch)),
            layerCount: try gguf.int(GGUFKey.blockCount(arch)),
            rotaryDimensions: try gguf.int(GGUFKey.ropeDimensionCount(arch)),
            feedForwardWidth: try gguf.int(GGUFKey.feedForwardLength(arch)),
            layerNormEpsilon: Float(gguf.value(GGUFKey.layerNormEpsilon(arch))?.doubleValue ?? 1e-5),
            ropeBase: Float(gguf.value(GGUFKey.ropeFreqBase(arch))?.doubleValue ?? 10000))
        try validate(path: gguf.path)
    }

    func validate(path: String) throws {
        func bad(_ what: String) -> GGUFError { .malformed(path: path, what: what) }
        guard embeddingWidth > 0, headCount > 0, embeddingWidth % headCount == 0 else {
            throw bad("embedding_length \(embeddingWidth) is not a positive multiple of head_count \(headCount)")
        }
        guard rotaryDimensions >= 0, rotaryDimensions <= headDimension, rotaryDimensions % 2 == 0 else {
            throw bad("rope.dimension_count \(rotaryDimensions) must be even and at most the head size \(headDimension)")
        }
        guard layerCount > 0, layerCount <= 1024 else { throw bad("block_count \(layerCount) is out of range") }
        guard contextLength > 0, contextLength <= 1 << 20 else { throw bad("context_length \(contextLength) is out of range") }
        guard feedForwardWidth > 0, vocabularySize > 0 else { throw bad("feed_forward_length and vocabulary must be positive") }
        guard layerNormEpsilon > 0, ropeBase > 0 else { throw bad("layer_norm_epsilon and rope base must be positive") }
    }
}
