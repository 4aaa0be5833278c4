/// Which sampler semantics to follow.
public enum SamplerCompat: String, Sendable, CaseIterable {
    /// transformers' order and the standard nucleus (keep the smallest set with probability >= p).
    case standard
    /// LiMBeR/MAGMA: top-k, then their inverted top-p (`cumulative > 1 - p`), then temperature.
    case limber
}

/// User-facing sampling settings (llama.cpp's defaults; temperature 0 means greedy).
public struct SamplingSettings: Sendable, Equatable {
    public var temperature: Float = 0.8
    public var topK: Int = 40
    public var topP: Double = 0.95
    public var minP: Double = 0.05
    public var repetitionPenalty: Float = 1.0
    public var seed: UInt64 = 0
    public var compat: SamplerCompat = .standard

    public init() {}

    public static var greedy: SamplingSettings {
        var s = SamplingSettings()
        s.temperature = 0
        return s
    }

    public func validate() throws {
        guard temperature >= 0, temperature.isFinite else { throw GenerationError.badSamplerSetting("--temp must be >= 0") }
        guard topP > 0, topP <= 1 else { throw GenerationError.badSamplerSetting("--top-p must be in (0, 1]") }
        guard minP >= 0, minP < 1 else { throw GenerationError.badSamplerSetting("--min-p must be in [0, 1)") }
        guard repetitionPenalty > 0, repetitionPenalty.isFinite else { throw GenerationError.badSamplerSetting("--repeat-penalty must be > 0") }
    }
}

/// A chain of sampler stages applied in order, then a final pick: argmax when greedy, otherwise a
/// draw from the softmax of what is left. With the same seed the draws repeat bit for bit.
public struct SamplerChain: Sendable {
    public private(set) var stages: [any SamplerStage]
    public let greedy: Bool
    private var rng: SeededRandom

    /// Stage order as in transformers' generate: repetition penalty, temperature, top-k, top-p, min-p.
    public init(_ s: SamplingSettings, history: [Int32] = []) {
        var stages: [any SamplerStage] = []
        if s.repetitionPenalty != 1 { stages.append(RepetitionPenalty(penalty: s.repetitionPenalty, history: history)) }
        greedy = s.temperature == 0
        if s.compat == .limber {
            // MAGMA's generate(): filters apply to the raw logits even when decoding greedily
            if s.topK > 0 { stages.append(TopK(s.topK)) }
            if s.topP > 0 && s.topP < 1 { stages.append(LiMBeRTopP(s.topP)) }
            if !greedy { stages.append(Temperature(s.temperature)) }
        } else if !greedy {
            stages.append(Temperature(s.temperature))
            if s.topK > 0 { stages.append(TopK(s.topK)) }
            if s.topP < 1 { stages.append(TopP(s.topP)) }
            if s.minP > 0 { stages.append(MinP(s.minP)) }
        }
        self.stages = stages
        rng = SeededRandom(seed: s.seed)
    }

    /// An explicit chain (the order of stages is data).
    public init(stages: [any SamplerStage], greedy: Bool, seed: UInt64) {
        self.stages = stages
        self.greedy = greedy
        rng = SeededRandom(seed: seed)
    }

    /// Picks the next token among ids below `allowed` and tells every stage about it.
    public mutating func sample(_ logits: UnsafeBufferPointer<Float>, allowed: Int) -> Int32 {
        var c = Candidates(logits: logits, allowed: allowed)
        for i in stages.indices { stages[i].apply(&c) }
        let token: Int32
        if greedy || c.ids.count == 1 {
            var best = 0
            for i in c.logits.indices where c.logits[i] > c.logits[best] || (c.logits[i] == c.logits[best] && c.ids[i] < c.ids[best]) {
                best = i
            }
            token = c.ids.isEmpty ? 0 : c.ids[best]
        } else {
            let probs = c.probabilities()
            let u = rng.unit()
            var cumulative = 0.0
            var pick = probs.count - 1
            for (i, p) in probs.enumerated() {
                cumulative += p
                if u < cumulative { pick = i; break }
            }
            token = c.ids[pick]
        }
        accept(token)
        return token
    }

    public mutating func accept(_ token: Int32) {
        for i in stages.indices { stages[i].accept(token) }
    }
}
