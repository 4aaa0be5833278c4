import Foundation
import TensorCore

/// One sampled token with its log-probability under the model (log-softmax of the raw logits over
/// the whole vocabulary) and, if asked for, the most likely alternatives at that step.
public struct GeneratedToken: Sendable {
    public let id: Int32
    public let logprob: Float
    public let topAlternatives: [(id: Int32, logprob: Float)]
}

/// The synchronous core of generation: prefill the prompt once, then each `next()` samples one token
/// and feeds it back. Streaming, JSON output and tests are thin layers over it.
public final class TokenIterator {
    public let session: any DecoderSession
    private var sampler: SamplerChain
    private let allowed: Int
    private let eos: Int32?
    private let maxTokens: Int
    private let topLogprobs: Int
    private var logits: [Float] = []
    private var pending: Int32?
    private var produced = 0
    private var finished = false
    /// Seconds spent on the prompt and on decoding so far.
    public private(set) var promptSeconds = 0.0
    public private(set) var decodeSeconds = 0.0
    public let promptCount: Int

    /// - Parameters:
    ///   - prompt: input embeddings (promptCount, embeddingWidth), appended after the session's cache.
    ///   - allowed: tokenizer size; ids at or past it are never sampled.
    public init(session: any DecoderSession, prompt: [Float], promptCount: Int, sampler: SamplerChain,
                allowed: Int, eos: Int32?, maxTokens: Int, topLogprobs: Int = 0) throws {
        guard promptCount > 0 else { throw GenerationError.emptyPrompt }
        let needed = session.position + promptCount
        guard needed <= session.contextLength else {
            throw GenerationError.contextOverflow(needed: needed, context: session.contextLength)
        }
        self.session = session
        self.sampler = sampler
        self.allowed = min(allowed, session.vocabularySize)
        self.eos = eos
        self.maxTokens = maxTokens
        self.topLogprobs = topLogprobs
        self.promptCount = promptCount
        let start = Date()
        logits = try session.forward(prompt, count: promptCount, allLogits: false)
        promptSeconds = Date().timeIntervalSince(start)
    }

    /// Number of tokens returned so far.
    public var count: Int { produced }

    /// The next token, or nil at EOS, at `maxTokens`, or when the context is full.
    public func next() throws -> GeneratedToken? {
        guard !finished, produced < maxTokens else { return nil }
        let start = Date()
        defer { decodeSeconds += Date().timeIntervalSince(start) }
        if let p = pending {
            guard session.position < session.contextLength else { finished = true; return nil }
            logits = try session.forward(try session.embed([p]), count: 1, allLogits: false)
            pending = nil
        }
        let token = logits.withUnsafeBufferPointer { sampler.sample($0, allowed: allowed) }
        if token == eos { finished = true; return nil }
        let (lp, top) = LogProbs.of(token, in: logits, top: topLogprobs, allowed: allowed)
        produced += 1
        pending = token
        return GeneratedToken(id: token, logprob: lp, topAlternatives: top)
    }
}

/// Log-probabilities from a logits row.
public enum LogProbs {
    /// log p(token) over all logits, and the `top` most likely allowed ids with theirs.
    public static func of(_ token: Int32, in logits: [Float], top: Int, allowed: Int) -> (Float, [(id: Int32, logprob: Float)]) {
        var lsm = [Float](repeating: 0, count: logits.count)
        logits.withUnsafeBufferPointer { src in
            lsm.withUnsafeMutableBufferPointer { dst in
                if let s = src.baseAddress, let d = dst.baseAddress { Activations.logSoftmax(s, n: logits.count, out: d) }
            }
        }
        let lp = Int(token) < lsm.count ? lsm[Int(token)] : -.infinity
        guard top > 0 else { return (lp, []) }
        let n = min(allowed, lsm.count)
        let best = (0..<n).sorted { lsm[$0] != lsm[$1] ? lsm[$0] > lsm[$1] : $0 < $1 }.prefix(top)
        return (lp, best.map { (Int32($0), lsm[$0]) })
    }
}
