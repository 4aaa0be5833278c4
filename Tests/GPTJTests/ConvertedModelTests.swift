import Conversion
import Foundation
import Generation
import GGUF
import GPTJ
import TensorCore
import Testing
import TestSupport

/// Checkpoints converted by Glimpse's own converter reproduce transformers' GPTJForCausalLM.
@Suite(.serialized) struct ConvertedModelTests {
    static func convert(_ hfDir: String, _ type: GGMLType) throws -> (GPTJModel, URL) {
        let dir = try Fixtures.temporaryDirectory()
        let out = dir.appendingPathComponent("model-\(type).gguf").path
        try HFGPTJConverter.convert(directory: Fixtures.path(hfDir), output: out, type: type)
        return (try GPTJModel(path: out), dir)
    }

    @Test(arguments: ["hf-safetensors", "hf-sharded", "hf-bin", "hf-bin-sharded"])
    func f32MatchesTransformers(form: String) throws {
        let ref = try Reference(model: "tiny")
        let (model, dir) = try Self.convert("gptj/tiny/\(form)", .f32)
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(model.samplableTokenCount == ref.tokenizerSize)
        for c in ref.cases {
            #expect(model.tokenizer.encode(c.prompt) == c.promptIDs)
            let logits = try Runner.logits(model, c.promptIDs)
            let (d, m) = Runner.maxDiff(logits, c.logits.values)
            print("[measured] f32 \(form) '\(c.prompt)': max|diff|/max|logit| = \(d / m)")
            #expect(d <= 1e-4 * m, "\(form): max|diff| \(d), max|logit| \(m)")
            #expect(try Runner.greedy(model, c.promptIDs, count: 32) == c.greedyIDs, "\(form): greedy for '\(c.prompt)'")
            let lps = try Runner.continuationLogprobs(model, c.promptIDs, c.continuationIDs)
            for (a, b) in zip(lps, c.continuationLogprobs) { #expect(abs(a - b) <= 1e-3, "\(form): logprob \(a) vs \(b)") }
        }
    }

    @Test(arguments: [GGMLType.f16, .bf16])
    func halfPrecisionWithinTwoPercent(type: GGMLType) throws {
        let ref = try Reference(model: "tiny")
        let (model, dir) = try Self.convert("gptj/tiny/hf-safetensors", type)
        defer { try? FileManager.default.removeItem(at: dir) }
        for c in ref.cases {
            let (d, m) = Runner.maxDiff(try Runner.logits(model, c.promptIDs), c.logits.values)
            print("[measured] \(type) '\(c.prompt)': max|diff|/max|logit| = \(d / m)")
            #expect(d <= 2e-2 * m, "\(type): max|diff| \(d) vs max|logit| \(m)")
        }
    }

    @Test(arguments: [(GGMLType.q8_0, 0.99, 0.01), (.q4_0, 0.90, 0.1)])
    func quantizedAgreement(type: GGMLType, minTop1: Double, maxKL: Double) throws {
        let ref = try Reference(model: "tiny")
        let (model, dir) = try Self.convert("gptj/tiny/hf-safetensors", type)
        defer { try? FileManager.default.removeItem(at: dir) }
        let stats = try QuantStats.measure(model, ref)
        print("[measured] \(type): top-1 \(stats.top1), mean KL \(stats.meanKL)")
        #expect(stats.top1 >= minTop1, "\(type) top-1 agreement \(stats.top1)")
        #expect(stats.meanKL <= maxKL, "\(type) mean KL \(stats.meanKL)")
    }

    /// An interleaved type holds its plain type's blocks, regrouped by 8 rows: prefill (dequantized tiles) gives
    /// the plain type's logits bit for bit. Token-by-token decode (the interleaved kernel) sums in another order:
    /// usually the logits agree to float rounding, but where that moves an activation across a rounding boundary
    /// of its 8-bit quantization, they differ by about what that quantization itself costs (decode against
    /// prefill, measured below).
    @Test(arguments: [GGMLType.q4_0x8, .q8_0x8])
    func interleavedTypeGivesThePlainTypesLogits(type: GGMLType) throws {
        let ref = try Reference(model: "tiny")
        let (plain, plainDir) = try Self.convert("gptj/tiny/hf-safetensors", type.ungrouped)
        let (grouped, groupedDir) = try Self.convert("gptj/tiny/hf-safetensors", type)
        defer { for d in [plainDir, groupedDir] { try? FileManager.default.removeItem(at: d) } }
        let file = try GGUFFile(path: groupedDir.appendingPathComponent("model-\(type).gguf").path)
        let types = Set(file.tensorInfos.filter { $0.shape.count == 2 }.map(\.type))
        #expect(types == [type], "every matrix of the tiny model has whole groups of 8 rows: \(types)")
        var toRounding = 0
        for c in ref.cases {
            let prefill = try Runner.logits(plain, c.promptIDs)
            #expect(try Runner.logits(grouped, c.promptIDs) == prefill, "prefill, '\(c.prompt)'")
            let plainDecode = try Runner.logits(plain, c.promptIDs, batch: 1)
            let (d, m) = Runner.maxDiff(try Runner.logits(grouped, c.promptIDs, batch: 1), plainDecode)
            let (q, _) = Runner.maxDiff(plainDecode, prefill)
            print("[measured] \(type) against \(type.ungrouped), one token at a time, '\(c.prompt)': max|diff|/max|logit| = \(d / m) (\(type.ungrouped) decode against prefill: \(q / m))")
            #expect(d <= q, "decode, '\(c.prompt)': max|diff| \(d) exceeds activation quantization's \(q)")
            if d <= 1e-5 * m { toRounding += 1 }
            #expect(try Runner.greedy(grouped, c.promptIDs, count: 16) == Runner.greedy(plain, c.promptIDs, count: 16))
        }
        #expect(toRounding * 2 >= ref.cases.count, "only \(toRounding) of \(ref.cases.count) prompts agree to float rounding")
    }

    @Test func realGPT2VocabularyModel() throws {
        let ref = try Reference(model: "gpt2vocab")
        for type in [GGMLType.f32, .f16] {
            let (model, dir) = try Self.convert("gptj/gpt2vocab/hf", type)
            defer { try? FileManager.default.removeItem(at: dir) }
            #expect(model.config.vocabularySize == 50400)
            #expect(model.samplableTokenCount == 50257)
            for c in ref.cases {
                #expect(model.tokenizer.encode(c.prompt) == c.promptIDs, "tokenization of \(c.prompt)")
                let logits = try Runner.logits(model, c.promptIDs)
                let last = Array(logits.suffix(50400))
                let (d, m) = Runner.maxDiff(last, c.logits.values)
                print("[measured] gpt2vocab \(type) '\(c.prompt)': max|diff|/max|logit| = \(d / m)")
                // the checkpoint stores f16, so f32 and f16 output hold the same values
                #expect(d <= 1e-4 * m, "\(type): max|diff| \(d), max|logit| \(m)")
                #expect(try Runner.greedy(model, c.promptIDs, count: 32) == c.greedyIDs, "\(type): greedy for '\(c.prompt)'")
            }
        }
    }
}

extension Runner {
    /// log p(continuation token | everything before it), teacher forced.
    static func continuationLogprobs(_ model: GPTJModel, _ prompt: [Int32], _ cont: [Int32]) throws -> [Double] {
        let ids = prompt + cont
        let logits = try logits(model, Array(ids.dropLast()))
        let v = model.config.vocabularySize
        return cont.enumerated().map { j, id in
            let row = Array(logits[((prompt.count - 1 + j) * v)..<((prompt.count + j) * v)])
            let m = Double(row.max() ?? 0)
            let lse = m + log(row.reduce(0.0) { $0 + exp(Double($1) - m) })
            return Double(row[Int(id)]) - lse
        }
    }
}
