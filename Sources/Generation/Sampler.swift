#if canImport(Glibc)
import Glibc
#endif

/// The tokens still in play at one step, with their (transformed) logits.
public struct Candidates: Sendable {
    public var ids: [Int32]
    public var logits: [Float]

    /// All ids below `allowed` (ids at or past the tokenizer's size are padding and never sampled).
    public init(logits all: UnsafeBufferPointer<Float>, allowed: Int) {
        let n = min(allowed, all.count)
        ids = (0..<Int32(n)).map { $0 }
        logits = Array(all[0..<n])
    }

    /// Sorts by logit, highest first (ties: lower id first, so results are deterministic).
    mutating func sortDescending() {
        let order = ids.indices.sorted { logits[$0] != logits[$1] ? logits[$0] > logits[$1] : ids[$0] < ids[$1] }
        ids = order.map { ids[$0] }
        logits = order.map { logits[$0] }
    }

    mutating func keep(first n: Int) {
        ids.removeSubrange(n...)
        logits.removeSubrange(n...)
    }

    /// Softmax of the current logits, in Double.
    func probabilities() -> [Double] {
        guard let m = logits.max() else { return [] }
        let e = logits.map { exp(Double($0 - m)) }
        let s = e.reduce(0, +)
        return e.map { $0 / s }
    }
}

/// One stage of the sampler chain (llama.cpp's shape): `apply` filters or rescales candidates,
/// `accept` sees each chosen token (penalties need history), `reset` forgets history.
public protocol SamplerStage: Sendable {
    mutating func apply(_ c: inout Candidates)
    mutating func accept(_ token: Int32)
    mutating func reset()
}

extension SamplerStage {
    public mutating func accept(_ token: Int32) {}
    public mutating func reset() {}
}

/// transformers' RepetitionPenaltyLogitsProcessor: for every token seen so far (prompt and output),
/// a positive logit is divided by the penalty and a negative one multiplied by it.
public struct RepetitionPenalty: SamplerStage {
    public let penalty: Float
    private var seen: Set<Int32> = []

    public init(penalty: Float, history: [Int32] = []) {
        self.penalty = penalty
        seen = Set(history)
    }

    public mutating func apply(_ c: inout Candidates) {
        guard penalty != 1 else { return }
        for i in c.ids.indices where seen.contains(c.ids[i]) {
            c.logits[i] = c.logits[i] > 0 ? c.logits[i] / penalty : c.logits[i] * penalty
        }
    }

    public mutating func accept(_ token: Int32) { seen.insert(token) }
    public mutating func reset() { seen.removeAll() }
}

/// Divides logits by the temperature (> 0).
public struct Temperature: SamplerStage {
    public let value: Float
    public init(_ value: Float) { self.value = value }
    public mutating func apply(_ c: inout Candidates) {
        guard value != 1 else { return }
        for i in c.logits.indices { c.logits[i] /= value }
    }
}

/// Keeps the k highest logits (k <= 0 disables).
public struct TopK: SamplerStage {
    public let k: Int
    public init(_ k: Int) { self.k = k }
    public mutating func apply(_ c: inout Candidates) {
        guard k > 0, k < c.ids.count else { return }
        c.sortDescending()
        c.keep(first: k)
    }
}

/// Keeps the smallest set of most likely tokens whose probabilities sum to at least p (standard nucleus).
public struct TopP: SamplerStage {
    public let p: Double
    public init(_ p: Double) { self.p = p }
    public mutating func apply(_ c: inout Candidates) {
        guard p < 1, c.ids.count > 1 else { return }
        c.sortDescending()
        let probs = c.probabilities()
        var cumulative = 0.0
        var n = probs.count
        for (i, q) in probs.enumerated() {
            cumulative += q
            if cumulative >= p { n = i + 1; break }
        }
        c.keep(first: max(1, n))
    }
}

/// Keeps tokens whose probability is at least p times the most likely token's.
public struct MinP: SamplerStage {
    public let p: Double
    public init(_ p: Double) { self.p = p }
    public mutating func apply(_ c: inout Candidates) {
        guard p > 0, let m = c.logits.max() else { return }
        let threshold = Float(log(p)) + m  // p_i >= p * p_max  <=>  logit_i >= logit_max + log p
        var ids: [Int32] = [], logits: [Float] = []
        for i in c.ids.indices where c.logits[i] >= threshold {
            ids.append(c.ids[i])
            logits.append(c.logits[i])
        }
        c.ids = ids
        c.logits = logits
    }
}

/// LiMBeR's and MAGMA's own top-p filter (their `top_p_filter`): tokens are dropped once the cumulative
/// probability of the ones before them exceeds 1 - p, so p = 0.9 keeps a 10% nucleus, the opposite of the
/// usual reading of p. Reproduces their published outputs; see `SamplerCompat.limber`.
public struct LiMBeRTopP: SamplerStage {
    public let p: Double
    public init(_ p: Double) { self.p = p }
    public mutating func apply(_ c: inout Candidates) {
        guard p > 0, c.ids.count > 1 else { return }
        c.sortDescending()
        let probs = c.probabilities()
        var cumulative = 0.0
        var n = 1  // the most likely token always stays
        for i in 1..<probs.count {
            cumulative += probs[i - 1]
            if cumulative > 1 - p { break }
            n = i + 1
        }
        c.keep(first: n)
    }
}
