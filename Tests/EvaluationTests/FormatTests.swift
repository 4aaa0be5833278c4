@testable import Evaluation
import Foundation
import Testing

@Suite("COCO and VQA file formats")
struct FormatTests {
    /// Writes `text` to a temporary file and returns its URL (the directory is removed by the caller).
    private func file(_ text: String, in dir: URL, named name: String = "input.json") throws -> URL {
        let url = dir.appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    private func withTemporaryDirectory(_ body: (URL) throws -> Void) throws {
        let dir = try MetricFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try body(dir)
    }

    @Test("malformed JSON names the file, line and column")
    func malformedJSON() throws {
        try withTemporaryDirectory { dir in
            let url = try file("{\n  \"images\": [],\n  \"annotations\": [\n    {\"image_id\": 1, \"caption\": \"a\" oops}\n  ]\n}", in: dir)
            do {
                _ = try COCOCaptionAnnotations.load(from: url)
                Issue.record("expected an error")
            } catch let error as EvaluationError {
                guard case .malformedJSON(let path, let line, let column, _) = error else {
                    Issue.record("wrong error \(error)")
                    return
                }
                #expect(path == url.path)
                #expect(line == 4)
                #expect(column == 36)  // the "o" of oops
                #expect(error.description.hasPrefix("\(url.path):4:36: malformed JSON"))
            }
        }
    }

    @Test("line and column count characters, not bytes")
    func columnsCountCharacters() {
        let data = Data("{\"é€\": x}".utf8)
        #expect(JSONFile.location(ofByte: 10, in: data) == (1, 8))
        #expect(JSONFile.location(ofOffsetIn: "Invalid value around character 10.", data: data) == (1, 8))
        #expect(JSONFile.location(ofOffsetIn: "Unexpected end of file", data: Data("[1,\n2".utf8)) == (2, 2))
        #expect(JSONFile.location(ofOffsetIn: "Unexpected character around line 4, column 36.", data: data) == (4, 36))
    }

    @Test("a wrong type names the JSON path")
    func wrongType() throws {
        try withTemporaryDirectory { dir in
            let url = try file(#"[{"image_id": 1, "caption": "a"}, {"image_id": 2, "caption": 5}]"#, in: dir)
            #expect(throws: EvaluationError.unexpectedJSON(path: url.path, location: "[1].caption", detail: "expected a string")) {
                try COCOCaptionResult.load(from: url)
            }
            let missing = try file(#"{"annotations": [{"question_id": 1, "image_id": 1}]}"#, in: dir, named: "ann.json")
            #expect(throws: EvaluationError.unexpectedJSON(path: missing.path, location: "annotations[0].answers", detail: "missing key \"answers\"")) {
                try VQAAnnotations.load(from: missing)
            }
            let float = try file(#"[{"question_id": 1.5, "answer": "yes"}]"#, in: dir, named: "res.json")
            #expect(throws: EvaluationError.self) { try VQAResult.load(from: float) }
        }
    }

    @Test("duplicate results and unreadable files are errors")
    func duplicatesAndUnreadable() throws {
        try withTemporaryDirectory { dir in
            let url = try file(#"[{"image_id": 7, "caption": "a"}, {"image_id": 7, "caption": "b"}]"#, in: dir)
            #expect(throws: EvaluationError.duplicateID(path: url.path, id: "7")) { try COCOCaptionResult.load(from: url) }
            let vqa = try file(#"[{"question_id": "q1", "answer": "a"}, {"question_id": "q1", "answer": "b"}]"#, in: dir, named: "v.json")
            #expect(throws: EvaluationError.duplicateID(path: vqa.path, id: "q1")) { try VQAResult.load(from: vqa) }
            let absent = dir.appendingPathComponent("absent.json")
            do {
                _ = try VQAQuestions.load(from: absent)
                Issue.record("expected an error")
            } catch let error as EvaluationError {
                guard case .unreadableFile(let path, _) = error else { Issue.record("wrong error \(error)"); return }
                #expect(path == absent.path)
            }
        }
    }

    @Test("ids decode from integers and strings and round-trip through result files")
    func idsRoundTrip() throws {
        try withTemporaryDirectory { dir in
            let url = dir.appendingPathComponent("results.json")
            try COCOCaptionResult.write([42: "a dog", "img-7": "a cat"], to: url)
            let back = try COCOCaptionResult.load(from: url)
            #expect(back == [.number(42): "a dog", .name("img-7"): "a cat"])
            let text = try String(contentsOf: url, encoding: .utf8)
            #expect(text.contains(#""image_id":42"#) && text.contains(#""image_id":"img-7""#))
            let vqaURL = dir.appendingPathComponent("vqa.json")
            try VQAResult.write([1: "yes"], to: vqaURL)
            #expect(try VQAResult.load(from: vqaURL) == [1: "yes"])
        }
    }

    @Test("COCO annotation files: image order, extra keys ignored, images optional")
    func cocoAnnotations() throws {
        try withTemporaryDirectory { dir in
            let url = try file("""
                {"info": {}, "licenses": [], "images": [{"id": 5, "file_name": "x.jpg", "width": 1}, {"id": 2}],
                 "annotations": [{"image_id": 2, "id": 1, "caption": "b"}, {"image_id": 5, "id": 2, "caption": "a"},
                                 {"image_id": 9, "id": 3, "caption": "c"}]}
                """, in: dir)
            let annotations = try COCOCaptionAnnotations.load(from: url)
            #expect(annotations.images.first == .init(id: 5, fileName: "x.jpg"))
            #expect(annotations.references.imageIDs == [5, 2, 9])
            let bare = try file(#"{"annotations": [{"image_id": "b", "caption": "x"}]}"#, in: dir, named: "bare.json")
            #expect(try COCOCaptionAnnotations.load(from: bare).references.imageIDs == ["b"])
        }
    }

    @Test("the fixture's VQA files load")
    func vqaFixtureFiles() throws {
        let questions = try VQAQuestions.load(from: MetricFixtures.url("vqa_questions.json"))
        let annotations = try VQAAnnotations.load(from: MetricFixtures.url("vqa_annotations.json"))
        #expect(questions.questions.count == 64)
        #expect(annotations.annotations.allSatisfy { $0.answers.count == 10 && $0.answerType != nil })
    }
}
