import Foundation
import GGUF
import Generation
import TensorCore
import Tokenizer

/// A GPT-J model loaded from one GGUF file: config, weights (views into the mapping) and tokenizer.
/// Immutable and shareable; generation state lives in a `GPTJSession`.
public final class GPTJModel: @unchecked Sendable {
    public let file: GGUFFile
    public let config: GPTJConfig
    public let weights: GPTJWeights
    public let tokenizer: BPETokenizer
    /// Ids below this are real tokens that may be sampled. llama.cpp's converter pads the token list
    /// to the embedding rows with UNUSED "[PAD...]" entries; those, and rows past the list, never are.
    public let samplableTokenCount: Int
    public let eosToken: Int32?
    public let bosToken: Int32?
    /// Rotary angles: cos/sin tables (contextLength, rotaryDimensions / 2).
    let ropeCos: [Float]
    let ropeSin: [Float]

    public convenience init(path: String) throws {
        try self.init(gguf: try GGUFFile(path: path))
    }

    public init(gguf: GGUFFile) throws {
        file = gguf
        config = try GPTJConfig(gguf: gguf)
        weights = try GPTJWeights(gguf: gguf, config: config)
        let (tokenizer, samplable) = try GPTJModel.loadTokenizer(gguf)
        guard tokenizer.count <= config.vocabularySize else {
            throw GGUFError.malformed(path: gguf.path, what: "tokenizer has \(tokenizer.count) tokens but token_embd only \(config.vocabularySize) rows")
        }
        self.tokenizer = tokenizer
        samplableTokenCount = samplable
        func tokenID(_ key: String) -> Int32? {
            guard let i = gguf.value(key)?.intValue, i >= 0, i < tokenizer.count else { return nil }
            return Int32(i)
        }
        eosToken = tokenID(GGUFKey.tokenizerEOS)
        bosToken = tokenID(GGUFKey.tokenizerBOS)
        (ropeCos, ropeSin) = GPTJModel.rotaryTables(config)
    }

    static func loadTokenizer(_ gguf: GGUFFile) throws -> (BPETokenizer, Int) {
        let model = try gguf.string(GGUFKey.tokenizerModel)
        guard model == "gpt2" else {
            throw GGUFError.malformed(path: gguf.path, what: "tokenizer model '\(model)' is not supported (expected 'gpt2' byte-level BPE)")
        }
        let tokens = try gguf.strings(GGUFKey.tokenizerTokens)
        let merges = try gguf.strings(GGUFKey.tokenizerMerges)
        var special: [String] = []
        var samplable = tokens.count
        if let types = gguf.value(GGUFKey.tokenizerTokenType)?.arrayValue {
            guard types.count == tokens.count else {
                throw GGUFError.malformed(path: gguf.path, what: "tokenizer.ggml.token_type has \(types.count) entries for \(tokens.count) tokens")
            }
            for (i, t) in types.enumerated() {
                let kind = t.intValue ?? 1
                if kind == Int(GGUFTokenType.control.rawValue) || kind == Int(GGUFTokenType.userDefined.rawValue) {
                    special.append(tokens[i])
                }
            }
            while samplable > 0, types[samplable - 1].intValue == Int(GGUFTokenType.unused.rawValue) { samplable -= 1 }
        } else if tokens.contains("<|endoftext|>") {
            special = ["<|endoftext|>"]
        }
        do {
            return (try BPETokenizer(tokens: tokens, merges: merges, specialTokens: special), samplable)
        } catch {
            throw GGUFError.malformed(path: gguf.path, what: "tokenizer: \(error)")
        }
    }

    /// transformers' create_sinusoidal_positions: inv_freq = 1 / base^(2i/rotary_dim), angle = pos * inv_freq, in f32.
    static func rotaryTables(_ c: GPTJConfig) -> ([Float], [Float]) {
        let half = c.rotaryDimensions / 2
        guard half > 0 else { return ([], []) }
        let invFreq = (0..<half).map { i in 1 / powf(c.ropeBase, Float(2 * i) / Float(c.rotaryDimensions)) }
        var cos = [Float](repeating: 0, count: c.contextLength * half)
        var sin = cos
        for p in 0..<c.contextLength {
            for i in 0..<half {
                let angle = Float(p) * invFreq[i]
                cos[p * half + i] = Foundation.cos(angle)
                sin[p * half + i] = Foundation.sin(angle)
            }
        }
        return (cos, sin)
    }

    /// A new generation session with its own KV cache.
    public func makeSession(kvType: KVType = .f16, threads: Int = ProcessInfo.processInfo.activeProcessorCount,
                            batchSize: Int = 256) -> GPTJSession {
        makeSession(kvType: kvType, pool: ThreadPool(threads: threads), batchSize: batchSize)
    }

    /// A new session that shares an existing thread pool (sessions decoding as one batch).
    public func makeSession(kvType: KVType, pool: ThreadPool, batchSize: Int) -> GPTJSession {
        GPTJSession(model: self, kvType: kvType, pool: pool, batchSize: batchSize)
    }
}
