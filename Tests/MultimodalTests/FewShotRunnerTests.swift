import Conversion
import Foundation
import Generation
import GPTJ
import Multimodal
import Testing
import TestSupport
import Vision

/// The few-shot prefix is computed once and reused: results equal a fresh run of the whole prompt.
@Suite(.serialized) struct FewShotRunnerTests {
    static func runner(shots: [SupportExample], template: PromptTemplate) throws -> (FewShotRunner, URL) {
        let dir = try Fixtures.temporaryDirectory()
        let lm = dir.appendingPathComponent("lm.gguf").path, mm = dir.appendingPathComponent("mm.gguf").path
        try HFGPTJConverter.convert(directory: Fixtures.path("vision/lm"), output: lm, type: .f32)
        try CLIPVisionConverter.convert(clip: Fixtures.path("vision/rn-a/clip-jit.pt"), projection: Fixtures.path("vision/rn-a/proj.ckpt"),
                                        output: mm, type: .f32)
        let model = try GPTJModel(path: lm)
        let runner = try FewShotRunner(model: model, projector: try VisionProjector(path: mm, threads: 2), template: template,
                                       shots: shots, session: model.makeSession(kvType: .f32, threads: 2))
        return (runner, dir)
    }

    static func image(_ i: Int) -> String { Fixtures.path("vision/images/img\(i)\(i == 1 ? ".png" : ".jpg")") }

    @Test func reusedPrefixGivesTheReferenceFewShotContinuation() throws {
        let shots = [SupportExample(image: Self.image(0), values: ["caption": "a dog"]),
                     SupportExample(image: Self.image(1), values: ["caption": "a cat"])]
        let (runner, dir) = try Self.runner(shots: shots, template: .fewShotCaption)
        defer { try? FileManager.default.removeItem(at: dir) }
        let reference = try Fixtures.json("vision/reference.json") as? [String: Any] ?? [:]
        let cases = (reference["lm"] as? [String: Any])?["cases"] as? [[String: Any]] ?? []
        let fewshot = try #require(cases.first { $0["name"] as? String == "rn-a_fewshot" })
        let expected = runner.model.tokenizer.decode((fewshot["greedy_ids"] as? [Int] ?? []).map { Int32($0) })
        // four soft tokens per image + 11 + 10 text tokens
        #expect(runner.prefixLength == 4 + 11 + 4 + 10)
        let first = try runner.generate(image: Self.image(2), values: [:], sampling: .greedy, maxTokens: 16, stops: [])
        #expect(first == expected)
        // another query, then the first again: the prefix is reused, not recomputed, and results repeat
        _ = try runner.generate(image: Self.image(0), values: [:], sampling: .greedy, maxTokens: 16, stops: [])
        let again = try runner.generate(image: Self.image(2), values: [:], sampling: .greedy, maxTokens: 16, stops: [])
        #expect(again == expected)
        #expect(runner.imagesEncoded == 3, "each distinct image is encoded once")
    }

    @Test func tooManyShotsAreRefusedBeforeAnyWork() throws {
        let long = String(repeating: "a dog on a beach ", count: 120)
        let shots = (0..<3).map { SupportExample(image: Self.image($0), values: ["caption": long]) }
        let (runner, dir) = try Self.runner(shots: shots, template: .fewShotCaption)
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(runner.prefixLength > 2048)
        #expect(throws: GenerationError.self) {
            _ = try runner.generate(image: Self.image(2), values: [:], sampling: .greedy, maxTokens: 16, stops: [])
        }
        #expect(runner.imagesEncoded == 0, "refused before encoding anything")
    }
}

/// Template files in prompts/ equal the built-in templates, and templates are checked.
struct PromptTemplateTests {
    @Test func shippedFilesMatchTheBuiltIns() throws {
        let dir = Fixtures.repoRoot.appendingPathComponent("prompts")
        for (file, builtIn) in [("caption.txt", PromptTemplate.caption), ("fewshot-caption.txt", .fewShotCaption),
                                ("vqa.txt", .vqa), ("fewshot-vqa.txt", .fewShotVQA)] {
            #expect(try PromptTemplate(path: dir.appendingPathComponent(file).path) == builtIn, "\(file)")
        }
    }

    @Test func rendersFrozenStylePrompts() throws {
        let p = try PromptTemplate.fewShotVQA.render(shots: [["question": "what color?", "answer": "red"]], query: ["question": "how many?"])
        #expect(p == "<image>Q: what color? A: red\n<image>Q: how many? A:")
        #expect(try PromptTemplate.fewShotCaption.render(shots: [["caption": "a dog"], ["caption": "a cat"]], query: [:])
            == "<image>A picture of a dog.<image>A picture of a cat.<image>A picture of")
    }

    /// Found by Fuzz/prompt: values were substituted one name at a time over the whole text, so a
    /// `{question}` inside an answer (or `{answer}` inside a question) was filled too, depending on the
    /// order a Set listed the names. Both cases together fail whichever order that is.
    @Test func valuesAreInsertedVerbatim() throws {
        #expect(try PromptTemplate.fewShotVQA.render(shots: [["question": "q", "answer": "see {question}"]], query: ["question": "q2"])
            == "<image>Q: q A: see {question}\n<image>Q: q2 A:")
        #expect(try PromptTemplate.fewShotVQA.render(shots: [["question": "is {answer} right?", "answer": "no"]], query: ["question": "{caption}"])
            == "<image>Q: is {answer} right? A: no\n<image>Q: {caption} A:")
    }

    @Test func badTemplatesAreRefused() {
        #expect(throws: PromptTemplate.Failure.unknownPlaceholder(name: "nmae", source: "t")) {
            try PromptTemplate(text: "<image>{nmae}", source: "t")
        }
        #expect(throws: PromptTemplate.Failure.imageMarkers(part: "query", found: 0, source: "t")) {
            try PromptTemplate(text: "no image", source: "t")
        }
        #expect(throws: PromptTemplate.Failure.noShotPart(source: "template")) {
            try PromptTemplate.caption.render(shots: [["caption": "x"]], query: [:])
        }
        #expect(throws: PromptTemplate.Failure.missingValue(name: "question", source: "template")) {
            try PromptTemplate.vqa.render(shots: [], query: [:])
        }
    }
}
