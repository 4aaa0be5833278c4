import Generation
import Testing

/// Each sampler stage against hand-computed expectations, and the chain's determinism.
struct SamplerTests {
    static let logits: [Float] = [2.0, 1.0, 0.5, 3.0, -1.0, 0.0]

    func candidates(_ allowed: Int = 6) -> Candidates {
        Self.logits.withUnsafeBufferPointer { Candidates(logits: $0, allowed: allowed) }
    }

    @Test func allowedLimitDropsPaddingIDs() {
        #expect(candidates(4).ids == [0, 1, 2, 3])
    }

    @Test func topKKeepsTheKBest() {
        var c = candidates()
        var s = TopK(2)
        s.apply(&c)
        #expect(c.ids == [3, 0])
    }

    @Test func topPKeepsTheSmallestNucleus() {
        // softmax of [3, 2, 1, 0.5, 0, -1]: 0.610, 0.224, 0.083, 0.050, 0.030, 0.011
        var c = candidates()
        var s = TopP(0.8)
        s.apply(&c)
        #expect(c.ids == [3, 0])  // 0.610 < 0.8 <= 0.834
        var c2 = candidates()
        var s2 = TopP(0.9)
        s2.apply(&c2)
        #expect(c2.ids == [3, 0, 1])  // 0.834 < 0.9 <= 0.917
    }

    @Test func minPDropsUnlikelyTokens() {
        var c = candidates()
        var s = MinP(0.3)  // keeps p >= 0.3 * p(3): logit >= 3 + ln 0.3 = 1.796
        s.apply(&c)
        #expect(Set(c.ids) == [0, 3])
    }

    @Test func repetitionPenaltyFollowsTransformers() {
        var c = candidates()
        var s = RepetitionPenalty(penalty: 2, history: [0, 4])
        s.apply(&c)
        #expect(c.logits[0] == 1.0)   // positive: divided
        #expect(c.logits[4] == -2.0)  // negative: multiplied
        #expect(c.logits[3] == 3.0)
        s.accept(3)
        var c2 = candidates()
        s.apply(&c2)
        #expect(c2.logits[3] == 1.5)
    }

    @Test func temperatureScales() {
        var c = candidates()
        var s = Temperature(0.5)
        s.apply(&c)
        #expect(c.logits == Self.logits.map { $0 / 0.5 })
    }

    @Test func greedyPicksArgmaxAmongAllowed() {
        var chain = SamplerChain(.greedy)
        #expect(Self.logits.withUnsafeBufferPointer { chain.sample($0, allowed: 6) } == 3)
        #expect(Self.logits.withUnsafeBufferPointer { chain.sample($0, allowed: 3) } == 0)
    }

    @Test func samplingFollowsTheDistributionAndTheSeed() {
        var settings = SamplingSettings()
        settings.temperature = 1
        settings.topK = 0
        settings.topP = 1
        settings.minP = 0
        settings.seed = 1234
        var chain = SamplerChain(settings)
        var counts = [Int](repeating: 0, count: 6)
        var draws: [Int32] = []
        for _ in 0..<20000 {
            let t = Self.logits.withUnsafeBufferPointer { chain.sample($0, allowed: 6) }
            counts[Int(t)] += 1
            if draws.count < 50 { draws.append(t) }
        }
        #expect(abs(Double(counts[3]) / 20000 - 0.610) < 0.02)
        #expect(abs(Double(counts[0]) / 20000 - 0.224) < 0.02)
        var again = SamplerChain(settings)
        #expect((0..<50).map { _ in Self.logits.withUnsafeBufferPointer { again.sample($0, allowed: 6) } } == draws)
    }

    @Test func stopMatcherHoldsBackPrefixesAndCutsAtTheStop() {
        var m = StopMatcher(stops: ["END"])
        #expect(m.feed("hello E") == "hello ")
        #expect(m.feed("N") == "")
        #expect(m.feed("D and more") == "")
        #expect(m.stopped)
        var n = StopMatcher(stops: ["END"])
        #expect(n.feed("hello E") == "hello ")
        #expect(n.feed("x") == "Ex")
        #expect(n.flush() == "")
        var k = StopMatcher(stops: ["\n"])
        #expect(k.feed("a line\nnext") == "a line")
    }
}

/// LiMBeR/MAGMA's inverted nucleus, against their top_p_filter run by hand on the same logits.
struct LiMBeRCompatTests {
    @Test func invertedNucleusKeepsOneMinusP() {
        // softmax of [3, 2, 1, 0.5, 0, -1] sorted: 0.610, 0.224, 0.083, 0.050, 0.030, 0.011
        var c = SamplerTests.logits.withUnsafeBufferPointer { Candidates(logits: $0, allowed: 6) }
        var s = LiMBeRTopP(0.9)  // 1 - p = 0.1: the first token's 0.61 already exceeds it
        s.apply(&c)
        #expect(c.ids == [3])
        var c2 = SamplerTests.logits.withUnsafeBufferPointer { Candidates(logits: $0, allowed: 6) }
        var s2 = LiMBeRTopP(0.3)  // 1 - p = 0.7: 0.610 <= 0.7 keeps the second; 0.834 > 0.7 drops the rest
        s2.apply(&c2)
        #expect(c2.ids == [3, 0])
    }

    @Test func chainOrderIsTopKTopPThenTemperature() {
        var settings = SamplingSettings()
        settings.compat = .limber
        settings.topK = 0
        settings.topP = 0.9
        settings.temperature = 0.7
        let chain = SamplerChain(settings)
        #expect(chain.stages.map { String(describing: type(of: $0)) } == ["LiMBeRTopP", "Temperature"])
        var standard = settings
        standard.compat = .standard
        #expect(SamplerChain(standard).stages.map { String(describing: type(of: $0)) } == ["Temperature", "TopP", "MinP"])
    }
}
