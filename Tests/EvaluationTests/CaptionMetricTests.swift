@testable import Evaluation
import Foundation
import Testing

@Suite("Caption metrics against pycocoevalcap")
struct CaptionMetricTests {
    /// Scores computed from the fixture files, the way `glimpse` would.
    static func scoresFromFiles() throws -> (CaptionScores, ReferenceCaptionScores) {
        let annotations = try COCOCaptionAnnotations.load(from: MetricFixtures.url("captions_annotations.json"))
        let candidates = try COCOCaptionResult.load(from: MetricFixtures.url("captions_results.json"))
        let reference = try MetricFixtures.decode(ReferenceCaptionScores.self, "caption_scores.json")
        return (try captionScores(candidates: candidates, references: annotations.references), reference)
    }

    @Test("end to end from COCO files: BLEU-1..4, ROUGE-L, CIDEr-D within 1e-12")
    func endToEnd() throws {
        let (scores, reference) = try Self.scoresFromFiles()
        #expect(scores.imageIDs == reference.image_ids.map { ImageID.number($0) })
        var worst = 0.0
        for k in 0..<4 { worst = max(worst, abs(scores.bleu[k] - reference.bleu[k])) }
        worst = max(worst, abs(scores.rougeL - reference.rouge_l), abs(scores.ciderD - reference.cider_d))
        for image in reference.per_image {
            let mine = try #require(scores.perImage[.number(image.image_id)])
            for k in 0..<4 { worst = max(worst, abs(mine.bleu[k] - image.bleu[k])) }
            worst = max(worst, abs(mine.rougeL - image.rouge_l), abs(mine.ciderD - image.cider_d))
        }
        print("caption metrics: max |Swift - pycocoevalcap| = \(worst)")
        #expect(worst <= 1e-12)
    }

    @Test("tokenized captions equal pycocoevalcap's, reference by reference")
    func tokenization() throws {
        let annotations = try COCOCaptionAnnotations.load(from: MetricFixtures.url("captions_annotations.json"))
        let candidates = try COCOCaptionResult.load(from: MetricFixtures.url("captions_results.json"))
        let reference = try MetricFixtures.decode(ReferenceCaptionScores.self, "caption_scores.json")
        let ids = reference.image_ids.map { ImageID.number($0) }
        let refs = annotations.references
        let tokenizer = CaptionTokenizer()
        let flat = tokenizer.tokenize(ids.flatMap { refs[$0] ?? [] })
        let expected = reference.per_image.flatMap(\.tokenized_references)
        #expect(flat.count == expected.count)
        for (got, want) in zip(flat, expected) { #expect(sameBytes(got, want)) }
        let hyp = tokenizer.tokenize(ids.map { candidates[$0] ?? "" })
        for (got, image) in zip(hyp, reference.per_image) { #expect(sameBytes(got, image.tokenized_candidate)) }
    }

    @Test("metrics alone, on the reference's own tokens")
    func metricsOnReferenceTokens() throws {
        let reference = try MetricFixtures.decode(ReferenceCaptionScores.self, "caption_scores.json")
        let scores = Evaluation.captionScores(
            tokenizedCandidates: reference.per_image.map(\.tokenized_candidate),
            tokenizedReferences: reference.per_image.map(\.tokenized_references),
            imageIDs: reference.image_ids.map { .number($0) })
        #expect(zip(scores.bleu, reference.bleu).allSatisfy { abs($0 - $1) <= 1e-12 })
        #expect(abs(scores.rougeL - reference.rouge_l) <= 1e-12)
        #expect(abs(scores.ciderD - reference.cider_d) <= 1e-12)
    }

    @Test("a candidate equal to all its references scores 1 on BLEU and ROUGE-L")
    func perfectCandidate() throws {
        let refs = CaptionReferences([1: ["a dog runs", "a dog runs"], 2: ["two cats sleep on a bed", "two cats sleep on a bed"]])
        let scores = try captionScores(candidates: [1: "A dog runs.", 2: "Two cats sleep on a bed"], references: refs)
        #expect(abs(scores.rougeL - 1) < 1e-12)
        #expect(scores.bleu.allSatisfy { abs($0 - 1) < 1e-6 })
    }

    @Test("string image ids work and order by the references")
    func stringIDs() throws {
        let refs = CaptionReferences(imageOrder: ["b", "a"], captions: [("a", "a red car"), ("b", "a blue bus"), ("a", "red car")])
        #expect(refs.imageIDs == ["b", "a"])
        let scores = try captionScores(candidates: ["a": "a red car", "b": "a bus"], references: refs)
        #expect(scores.imageIDs == ["b", "a"])
        #expect(scores.perImage["a"]?.rougeL == 1)
    }

    @Test("errors: unknown image, empty references, nothing to score")
    func errors() {
        let refs = CaptionReferences([1: ["a dog"], 2: []])
        #expect(throws: EvaluationError.missingReferences(imageIDs: ["3"])) {
            try captionScores(candidates: [1: "a dog", 3: "a cat"], references: refs)
        }
        #expect(throws: EvaluationError.noReferenceCaptions(imageID: "2")) {
            try captionScores(candidates: [2: "a dog"], references: refs)
        }
        #expect(throws: EvaluationError.noCandidates) { try captionScores(candidates: [:], references: refs) }
    }

    @Test("NumPy's pairwise mean, not a running sum")
    func numpyMean() {
        let values = (0..<300).map { 1.0 / Double($0 + 1) }
        var running = 0.0
        for value in values { running += value }
        #expect(abs(NumPy.mean(values) - running / 300) < 1e-15)
        #expect(NumPy.mean([0.1, 0.2, 0.3]) == (0.1 + 0.2 + 0.3) / 3)
    }
}
