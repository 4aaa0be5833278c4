import Evaluation
import Foundation
import Testing
import TestSupport

/// caption-set with COCO annotations and vqa with VQAv2 files: outputs, stored metrics, and that the
/// metrics are the Evaluation module's (itself checked against pycocoevalcap and the official VQA code).
@Suite(.serialized) struct DatasetMetricsTests {
    let suite = CaptionSetTests()

    func write(_ object: Any, _ url: URL) throws {
        try JSONSerialization.data(withJSONObject: object).write(to: url)
    }

    @Test func captionSetScoresAgainstCOCOAnnotations() throws {
        let s = try suite.setup(count: 6)
        defer { try? FileManager.default.removeItem(at: s.dir) }
        let refs = ["a red circle on a white background", "a picture of a circle", "a round red shape",
                    "an abstract image", "a colorful picture"]
        let annotations = s.dir.appendingPathComponent("captions_val.json")
        let images = (0..<6).map { i in ["id": 1000 + i, "file_name": "val_\(1000 + i).\(i % 3 == 1 ? "png" : "jpg")"] as [String: Any] }
        let anns = (0..<6).flatMap { i in refs.enumerated().map { ["image_id": 1000 + i, "caption": $0.element, "id": i * 10 + $0.offset] as [String: Any] } }
        try write(["images": images, "annotations": anns], annotations)
        let out = s.dir.appendingPathComponent("results.json").path
        let r = try suite.captionSet(s, out: out, ["--annotations", annotations.path])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("CIDEr-D"))
        let metrics = try JSONSerialization.jsonObject(with: Data(contentsOf: s.dir.appendingPathComponent("results.metrics.json"))) as? [String: Any]
        let results = try suite.results(out)
        #expect(results.count == 6)
        var candidates: [ImageID: String] = [:]
        for r in results { if let id = r["image_id"] as? Int, let c = r["caption"] as? String { candidates[.number(id)] = c } }
        let references = CaptionReferences(Dictionary(uniqueKeysWithValues: (0..<6).map { (ImageID.number(1000 + $0), refs) }))
        let expected = try captionScores(candidates: candidates, references: references)
        // equal up to the JSON round trip of a double
        for (key, value) in [("CIDEr-D", expected.ciderD), ("BLEU-4", expected.bleu4), ("ROUGE-L", expected.rougeL), ("BLEU-1", expected.bleu1)] {
            let stored = metrics?[key] as? Double ?? .nan
            #expect(abs(stored - value) <= 1e-12 * max(1, abs(value)), "\(key): \(stored) vs \(value)")
        }
    }

    @Test func vqaAnswersAndAccuracy() throws {
        let s = try suite.setup(count: 4)
        defer { try? FileManager.default.removeItem(at: s.dir) }
        let questions = s.dir.appendingPathComponent("questions.json"), annotations = s.dir.appendingPathComponent("annotations.json")
        var qs: [[String: Any]] = [], anns: [[String: Any]] = []
        for i in 0..<4 {
            for (k, (q, a)) in [("what shape is this?", "circle"), ("how many shapes?", "one")].enumerated() {
                let qid = (1000 + i) * 10 + k
                qs.append(["image_id": 1000 + i, "question": q, "question_id": qid])
                anns.append(["question_id": qid, "image_id": 1000 + i, "multiple_choice_answer": a, "answer_type": k == 0 ? "other" : "number",
                             "answers": (0..<10).map { ["answer": $0 < 7 ? a : "two", "answer_confidence": "yes", "answer_id": $0 + 1] }])
            }
        }
        try write(["questions": qs], questions)
        try write(["annotations": anns], annotations)
        for (extra, evaluated) in [([String](), 8), (["--shots", "2"], 6)] {
            let out = s.dir.appendingPathComponent("answers\(evaluated).json").path
            let r = try CLI.run(["vqa", "-m", s.lm, "--mmproj", s.mmproj, "--questions", questions.path, "--images", s.images,
                                 "--annotations", annotations.path, "--out", out, "--max-tokens", "4"] + extra)
            #expect(r.status == 0, "\(r.stderr)")
            let answers = try suite.results(out)
            #expect(answers.count == evaluated, "support questions are not evaluated")
            var predictions: [QuestionID: String] = [:]
            for a in answers { if let q = a["question_id"] as? Int, let t = a["answer"] as? String { predictions[.number(q)] = t } }
            let loaded = try VQAAnnotations.load(from: annotations).annotations
            let expected = try vqaAccuracy(predictions: predictions, annotations: loaded)
            let metrics = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: (out as NSString).deletingPathExtension + ".metrics.json"))) as? [String: Any]
            #expect(abs((metrics?["vqa_accuracy"] as? Double ?? .nan) - expected.overall * 100) < 1e-9)
            #expect(r.stdout.contains("VQA accuracy"))
        }
    }
}
