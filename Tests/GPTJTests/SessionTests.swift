import Foundation
import Generation
import GPTJ
import Testing
import TestSupport

/// KV cache behaviour: incremental decoding, chunked prefill, truncate-and-extend, f16 cache, seeds.
struct SessionTests {
    static let model: GPTJModel? = try? GPTJModel(path: Fixtures.path("gguf/tiny-gguf-py-f32.gguf"))
    static let ids: [Int32] = (0..<40).map { Int32(($0 * 37 + 11) % 400) }

    func loadedModel() throws -> GPTJModel {
        try #require(Self.model, "tiny-gguf-py-f32.gguf did not load")
    }

    @Test func incrementalDecodingEqualsOneFullPass() throws {
        let model = try loadedModel()
        let full = try Runner.logits(model, Self.ids)
        let s = model.makeSession(kvType: .f32, threads: 2)
        var incremental: [Float] = []
        for id in Self.ids { incremental += try s.forward(try s.embed([id]), count: 1, allLogits: true) }
        let (d, m) = Runner.maxDiff(incremental, full)
        #expect(d <= 1e-5 * m, "max|diff| \(d) vs max|logit| \(m)")
        #expect(s.position == Self.ids.count)
    }

    @Test func chunkedPrefillEqualsOnePass() throws {
        let model = try loadedModel()
        let (d, m) = Runner.maxDiff(try Runner.logits(model, Self.ids, batch: 7), try Runner.logits(model, Self.ids))
        #expect(d <= 1e-5 * m)
    }

    @Test func truncateThenExtendReusesThePrefix() throws {
        let model = try loadedModel()
        let prefix = Array(Self.ids.prefix(25))
        let a = Array(Self.ids.suffix(15)), b: [Int32] = [5, 6, 7, 8, 9, 10]
        let s = model.makeSession(kvType: .f32, threads: 2)
        _ = try s.forward(try s.embed(prefix + a), count: prefix.count + a.count, allLogits: false)
        s.truncate(to: prefix.count)
        #expect(s.position == prefix.count)
        let extended = try s.forward(try s.embed(b), count: b.count, allLogits: true)
        let full = try Runner.logits(model, prefix + b)
        let (d, m) = Runner.maxDiff(extended, Array(full.suffix(b.count * model.config.vocabularySize)))
        #expect(d <= 1e-5 * m)
    }

    @Test func f16CacheStaysClose() throws {
        let model = try loadedModel()
        let (d, m) = Runner.maxDiff(try Runner.logits(model, Self.ids, kv: .f16), try Runner.logits(model, Self.ids))
        #expect(d <= 1e-2 * m, "f16 KV cache: max|diff| \(d)")
    }

    @Test func seedReproducesSampling() throws {
        let model = try loadedModel()
        func sample(seed: UInt64) throws -> [Int32] {
            var settings = SamplingSettings()
            settings.temperature = 1.0
            settings.seed = seed
            let s = model.makeSession(threads: 2)
            let it = try TokenIterator(session: s, prompt: try s.embed(Self.ids), promptCount: Self.ids.count,
                                       sampler: SamplerChain(settings), allowed: model.samplableTokenCount, eos: nil, maxTokens: 24)
            var out: [Int32] = []
            while let t = try it.next() { out.append(t.id) }
            return out
        }
        let first = try sample(seed: 42)
        #expect(first.count == 24)
        #expect(try sample(seed: 42) == first)
        #expect(try sample(seed: 43) != first)
        #expect(first.allSatisfy { $0 < 400 }, "padding ids must never be sampled")
    }

    @Test func contextOverflowIsAnError() throws {
        let model = try loadedModel()
        let s = model.makeSession(threads: 1)
        let long = [Int32](repeating: 5, count: model.config.contextLength + 1)
        #expect(throws: GenerationError.contextOverflow(needed: long.count, context: model.config.contextLength)) {
            _ = try TokenIterator(session: s, prompt: try s.embed(long), promptCount: long.count,
                                  sampler: SamplerChain(.greedy), allowed: 400, eos: nil, maxTokens: 1)
        }
    }
}
