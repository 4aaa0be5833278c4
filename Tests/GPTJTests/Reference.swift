import Foundation
import Generation
import GPTJ
import TestSupport

/// The reference outputs tools/reference/make_gptj_fixtures.py saved from transformers.
struct Reference {
    struct Case {
        let prompt: String
        let promptIDs: [Int32]
        let logits: NPYArray
        let allPositions: Bool
        let greedyIDs: [Int32]
        let continuationIDs: [Int32]
        let continuationLogprobs: [Double]
    }

    let dir: String
    let tokenizerSize: Int
    let cases: [Case]
    /// (ids, logits for every position)
    let teacherForced: [([Int32], NPYArray)]

    init(model: String) throws {
        dir = "gptj/\(model)"
        let root = try Fixtures.json("\(dir)/reference.json") as? [String: Any] ?? [:]
        tokenizerSize = root["tokenizer_size"] as? Int ?? 0
        func ids(_ v: Any?) -> [Int32] { (v as? [Int] ?? []).map { Int32($0) } }
        let dir = self.dir
        cases = try (root["cases"] as? [[String: Any]] ?? []).map { c in
            Case(prompt: c["prompt"] as? String ?? "",
                 promptIDs: ids(c["prompt_ids"]),
                 logits: try NPYArray(url: Fixtures.url("\(dir)/\(c["logits_file"] as? String ?? "")")),
                 allPositions: (c["logits_positions"] as? String) == "all",
                 greedyIDs: ids(c["greedy_ids"]),
                 continuationIDs: ids(c["continuation_ids"]),
                 continuationLogprobs: c["continuation_logprobs"] as? [Double] ?? [])
        }
        teacherForced = try (root["teacher_forced"] as? [[String: Any]] ?? []).map { t in
            (ids(t["ids"]), try NPYArray(url: Fixtures.url("\(dir)/\(t["logits_file"] as? String ?? "")")))
        }
    }
}

/// Runs a model the way the tests need it.
enum Runner {
    /// Logits for every position of `ids` in one pass (fresh session).
    static func logits(_ model: GPTJModel, _ ids: [Int32], kv: KVType = .f32, batch: Int = 256) throws -> [Float] {
        let s = model.makeSession(kvType: kv, threads: 2, batchSize: batch)
        return try s.forward(try s.embed(ids), count: ids.count, allLogits: true)
    }

    static func greedy(_ model: GPTJModel, _ ids: [Int32], count: Int) throws -> [Int32] {
        let s = model.makeSession(kvType: .f32, threads: 2)
        let it = try TokenIterator(session: s, prompt: try s.embed(ids), promptCount: ids.count,
                                   sampler: SamplerChain(.greedy), allowed: model.samplableTokenCount,
                                   eos: nil, maxTokens: count)
        var out: [Int32] = []
        while let t = try it.next() { out.append(t.id) }
        return out
    }

    /// max |a - b| and max |b|.
    static func maxDiff(_ a: [Float], _ b: [Float]) -> (Float, Float) {
        var d: Float = 0, m: Float = 0
        for i in 0..<min(a.count, b.count) {
            d = max(d, abs(a[i] - b[i]))
            m = max(m, abs(b[i]))
        }
        return (d, m)
    }
}
