import Conversion
import Foundation
import Generation
import GPTJ
import Multimodal
import TensorCore
import Testing
import TestSupport
import Vision

/// GPT-J fed LiMBeR soft tokens, against transformers' GPTJForCausalLM run on the same concatenated
/// embeddings (tools/reference/make_vision_fixtures.py): image + "A picture of", and a Frozen-style
/// prompt of three images each followed by a caption.
@Suite(.serialized) struct ImagePromptFidelityTests {
    struct Case {
        let name: String
        let encoder: String
        let projectionFile: String
        let chunks: [PromptChunk]
        let imageIndices: [Int]
        let logits: NPYArray
        let greedyIDs: [Int32]
        let continuationIDs: [Int32]
        let continuationLogprobs: [Double]
    }

    static func cases() throws -> (root: [String: Any], cases: [Case]) {
        let root = try Fixtures.json("vision/reference.json") as? [String: Any] ?? [:]
        let lm = root["lm"] as? [String: Any] ?? [:]
        let cases = try (lm["cases"] as? [[String: Any]] ?? []).map { c in
            var chunks: [PromptChunk] = []
            var images: [Int] = []
            for p in c["pieces"] as? [[String: Any]] ?? [] {
                if p["kind"] as? String == "image" {
                    chunks.append(.image(images.count))
                    images.append(p["image"] as? Int ?? 0)
                } else {
                    chunks.append(.text(p["text"] as? String ?? ""))
                }
            }
            return Case(name: c["name"] as? String ?? "", encoder: c["encoder"] as? String ?? "",
                        projectionFile: c["projection_file"] as? String ?? "", chunks: chunks, imageIndices: images,
                        logits: try NPYArray(url: Fixtures.url("vision/\(c["logits_file"] as? String ?? "")")),
                        greedyIDs: (c["greedy_ids"] as? [Int] ?? []).map { Int32($0) },
                        continuationIDs: (c["continuation_ids"] as? [Int] ?? []).map { Int32($0) },
                        continuationLogprobs: c["continuation_logprobs"] as? [Double] ?? [])
        }
        return (root, cases)
    }

    @Test func imagePromptsMatchTransformers() throws {
        let (root, cases) = try Self.cases()
        #expect(cases.count >= 4)
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let lmPath = dir.appendingPathComponent("lm.gguf").path
        try HFGPTJConverter.convert(directory: Fixtures.path("vision/lm"), output: lmPath, type: .f32)
        let model = try GPTJModel(path: lmPath)
        let images = root["images"] as? [[String: Any]] ?? []
        for c in cases {
            let mmproj = dir.appendingPathComponent("\(c.name).gguf").path
            try CLIPVisionConverter.convert(clip: Fixtures.path("vision/\(c.encoder)/clip-jit.pt"),
                                            projection: Fixtures.path("vision/\(c.projectionFile)"), output: mmproj, type: .f32)
            let projector = try VisionProjector(path: mmproj, threads: 2)
            func softTokens(_ i: Int) throws -> [Float] {
                let pixels = (images[c.imageIndices[i]]["pixels"] as? [String: Any])?["\(projector.imageSize)"] as? [String: Any]
                let npy = try NPYArray(url: Fixtures.url("vision/\(pixels?["file"] as? String ?? "")"))
                return projector.softTokens(pixels: npy.values)
            }
            let session = model.makeSession(kvType: .f32, threads: 2)
            let input = try MultimodalPrompt.embed(c.chunks, tokenizer: model.tokenizer, session: session, imageTokens: softTokens)
            #expect(input.ids.count == c.logits.shape[0], "\(c.name): positions")
            let logits = try session.forward(input.embeddings, count: input.ids.count, allLogits: true)
            let (d, m) = maxDiff(logits, c.logits.values)
            print("[measured] \(c.name): logits max|diff| \(d) / max|logit| \(m) = \(d / m)")
            #expect(d <= 1e-4 * m, "\(c.name): max|diff| \(d) vs max|logit| \(m)")

            let fresh = model.makeSession(kvType: .f32, threads: 2)
            let it = try TokenIterator(session: fresh, prompt: input.embeddings, promptCount: input.ids.count,
                                       sampler: SamplerChain(.greedy), allowed: model.samplableTokenCount, eos: nil,
                                       maxTokens: c.greedyIDs.count)
            var greedy: [Int32] = []
            while let t = try it.next() { greedy.append(t.id) }
            #expect(greedy == c.greedyIDs, "\(c.name): greedy continuation")

            if !c.continuationIDs.isEmpty {
                let scoring = model.makeSession(kvType: .f32, threads: 2)
                let all = input.embeddings + (try scoring.embed(Array(c.continuationIDs.dropLast())))
                let rows = input.ids.count + c.continuationIDs.count - 1
                let l = try scoring.forward(all, count: rows, allLogits: true)
                let v = model.config.vocabularySize
                for (j, id) in c.continuationIDs.enumerated() {
                    let row = Array(l[((input.ids.count - 1 + j) * v)..<((input.ids.count + j) * v)])
                    let mx = Double(row.max() ?? 0)
                    let lse = mx + log(row.reduce(0.0) { $0 + exp(Double($1) - mx) })
                    #expect(abs(Double(row[Int(id)]) - lse - c.continuationLogprobs[j]) <= 1e-3, "\(c.name): logprob \(j)")
                }
            }
        }
    }

    func maxDiff(_ a: [Float], _ b: [Float]) -> (Float, Float) {
        var d: Float = 0, m: Float = 0
        for i in 0..<min(a.count, b.count) { d = max(d, abs(a[i] - b[i])); m = max(m, abs(b[i])) }
        return (a.count == b.count ? d : .infinity, m)
    }
}

/// Markers, image order and mismatches.
struct PromptChunkTests {
    @Test func markersTakeImagesInOrder() throws {
        #expect(try MultimodalPrompt.chunks("<image>A picture of a dog.<image>A picture of", imageCount: 2)
            == [.image(0), .text("A picture of a dog."), .image(1), .text("A picture of")])
    }

    @Test func imagesWithoutMarkersGoFirst() throws {
        #expect(try MultimodalPrompt.chunks("A picture of", imageCount: 2) == [.image(0), .image(1), .text("A picture of")])
        #expect(try MultimodalPrompt.chunks("plain text", imageCount: 0) == [.text("plain text")])
    }

    @Test func countMismatchIsAnError() {
        #expect(throws: PromptError.markerCountMismatch(markers: 2, images: 1)) {
            try MultimodalPrompt.chunks("<image>a<image>b", imageCount: 1)
        }
        #expect(throws: PromptError.markerCountMismatch(markers: 1, images: 0)) {
            try MultimodalPrompt.chunks("<image>a", imageCount: 0)
        }
    }
}
