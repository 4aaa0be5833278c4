import GGUF
import TensorCore

/// One GPT-J block (transformers' GPTJBlock): a single LayerNorm feeding attention and MLP in parallel.
public struct GPTJBlockWeights: Sendable {
    public let normWeight: [Float]      // (nEmbd) ln_1.weight
    public let normBias: [Float]        // (nEmbd) ln_1.bias
    public let attnQ: TensorView        // (nEmbd, nEmbd) q_proj, no bias
    public let attnK: TensorView        // (nEmbd, nEmbd) k_proj, no bias
    public let attnV: TensorView        // (nEmbd, nEmbd) v_proj, no bias
    public let attnOutput: TensorView   // (nEmbd, nEmbd) out_proj, no bias
    public let ffnUp: TensorView        // (nFF, nEmbd) mlp.fc_in
    public let ffnUpBias: [Float]       // (nFF)
    public let ffnDown: TensorView      // (nEmbd, nFF) mlp.fc_out
    public let ffnDownBias: [Float]     // (nEmbd)
}

/// All GPT-J weights, bound by name and checked against the config once at load. Matrices are views
/// into the mapped file; only the small 1-D norms and biases are decoded to f32 arrays.
public struct GPTJWeights: Sendable {
    public let tokenEmbedding: TensorView  // (nVocab, nEmbd) wte
    public let blocks: [GPTJBlockWeights]
    public let outputNormWeight: [Float]   // (nEmbd) ln_f.weight
    public let outputNormBias: [Float]     // (nEmbd) ln_f.bias
    public let output: TensorView          // (nVocab, nEmbd) lm_head.weight
    public let outputBias: [Float]         // (nVocab) lm_head.bias

    public init(gguf: GGUFFile, config c: GPTJConfig) throws {
        typealias N = GPTJTensorName
        let d = c.embeddingWidth, ff = c.feedForwardWidth, v = c.vocabularySize
        let vectorTypes: Set<GGMLType> = [.f32, .f16, .bf16]
        func vector(_ name: String, _ n: Int) throws -> [Float] {
            try gguf.tensor(name, shape: [n], types: vectorTypes).floats()
        }
        func matrix(_ name: String, _ rows: Int, _ cols: Int) throws -> TensorView {
            try gguf.tensor(name, shape: [rows, cols])
        }
        // The 1-D tensors decoded below lie between the matrices, 115 small reads across GPT-J-6B's file. With
        // the file not in the page cache, read one after another they took 0.8 s of GPT-J-6B's load here.
        gguf.prefetch { $0.shape.count == 1 }
        tokenEmbedding = try matrix(N.tokenEmbedding, v, d)
        blocks = try (0..<c.layerCount).map { i in
            GPTJBlockWeights(
                normWeight: try vector(N.attnNormWeight(i), d),
                normBias: try vector(N.attnNormBias(i), d),
                attnQ: try matrix(N.attnQ(i), d, d),
                attnK: try matrix(N.attnK(i), d, d),
                attnV: try matrix(N.attnV(i), d, d),
                attnOutput: try matrix(N.attnOutput(i), d, d),
                ffnUp: try matrix(N.ffnUpWeight(i), ff, d),
                ffnUpBias: try vector(N.ffnUpBias(i), ff),
                ffnDown: try matrix(N.ffnDownWeight(i), d, ff),
                ffnDownBias: try vector(N.ffnDownBias(i), d))
        }
        outputNormWeight = try vector(N.outputNormWeight, d)
        outputNormBias = try vector(N.outputNormBias, d)
        output = try matrix(N.outputWeight, v, d)
        outputBias = try vector(N.outputBias, v)
    }
}
