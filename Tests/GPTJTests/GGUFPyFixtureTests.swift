import Foundation
import Generation
import GPTJ
import Testing
import TestSupport

/// A GGUF written by gguf-py (llama.cpp's own writer) loads and reproduces transformers' numbers.
struct GGUFPyFixtureTests {
    @Test func f32FileMatchesTransformers() throws {
        let ref = try Reference(model: "tiny")
        let model = try GPTJModel(path: Fixtures.path("gguf/tiny-gguf-py-f32.gguf"))
        #expect(model.samplableTokenCount == ref.tokenizerSize)
        #expect(model.config.vocabularySize == 512)
        for c in ref.cases {
            #expect(model.tokenizer.encode(c.prompt) == c.promptIDs, "tokenization of \(c.prompt)")
            let logits = try Runner.logits(model, c.promptIDs)
            let (d, m) = Runner.maxDiff(logits, c.logits.values)
            #expect(logits.count == c.logits.values.count)
            #expect(d <= 1e-4 * m, "max|diff| \(d) vs max|logit| \(m) for '\(c.prompt)'")
            #expect(try Runner.greedy(model, c.promptIDs, count: 32) == c.greedyIDs, "greedy continuation of '\(c.prompt)'")
        }
    }

    @Test func q8_0FileAgreesOnTopToken() throws {
        let ref = try Reference(model: "tiny")
        let model = try GPTJModel(path: Fixtures.path("gguf/tiny-gguf-py-q8_0.gguf"))
        let stats = try QuantStats.measure(model, ref)
        #expect(stats.top1 >= 0.99, "top-1 agreement \(stats.top1)")
        #expect(stats.meanKL <= 0.01, "mean KL \(stats.meanKL)")
    }
}

/// Teacher-forced agreement of a model with the reference logits.
struct QuantStats {
    var top1: Double
    var meanKL: Double
    var maxRelative: Double

    static func measure(_ model: GPTJModel, _ ref: Reference) throws -> QuantStats {
        var agree = 0, total = 0
        var kl = 0.0, worst = 0.0
        for (ids, expected) in ref.teacherForced {
            let logits = try Runner.logits(model, ids)
            let v = expected.shape[1]
            let (d, m) = Runner.maxDiff(logits, expected.values)
            worst = max(worst, Double(d / m))
            for p in 0..<ids.count {
                let a = Array(expected.values[(p * v)..<((p + 1) * v)])
                let b = Array(logits[(p * v)..<((p + 1) * v)])
                if argmax(a) == argmax(b) { agree += 1 }
                kl += klDivergence(a, b)
                total += 1
            }
        }
        return QuantStats(top1: Double(agree) / Double(total), meanKL: kl / Double(total), maxRelative: worst)
    }

    static func argmax(_ x: [Float]) -> Int { x.indices.max { x[$0] < x[$1] || (x[$0] == x[$1] && $0 > $1) } ?? 0 }

    /// KL(softmax(p) || softmax(q)) in nats.
    static func klDivergence(_ p: [Float], _ q: [Float]) -> Double {
        func logSoftmax(_ x: [Float]) -> [Double] {
            let m = Double(x.max() ?? 0)
            let lse = m + log(x.reduce(0.0) { $0 + exp(Double($1) - m) })
            return x.map { Double($0) - lse }
        }
        let lp = logSoftmax(p), lq = logSoftmax(q)
        var s = 0.0
        for i in lp.indices { s += exp(lp[i]) * (lp[i] - lq[i]) }
        return s
    }
}
