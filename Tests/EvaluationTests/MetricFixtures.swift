import Foundation
import Testing

/// A setup problem (missing fixture) that must fail the tests, never skip them.
struct MissingFixture: Error, CustomStringConvertible {
    let description: String
}

/// Reads Tests/Fixtures/metrics/ (made by tools/reference/make_metric_fixtures.py) relative to
/// this file, so the tests work from any working directory.
enum MetricFixtures {
    static let directory: URL = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }  // Tests/EvaluationTests/MetricFixtures.swift
        return url.appendingPathComponent("Tests/Fixtures/metrics")
    }()

    static func url(_ name: String) -> URL { directory.appendingPathComponent(name) }

    static func decode<T: Decodable>(_ type: T.Type, _ name: String) throws -> T {
        let path = url(name)
        guard let data = FileManager.default.contents(atPath: path.path) else {
            throw MissingFixture(description: "missing \(path.path); run tools/reference/make_metric_fixtures.py")
        }
        return try JSONDecoder().decode(type, from: data)
    }

    /// A fresh temporary directory, removed by the caller.
    static func temporaryDirectory() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("glimpse-eval-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }
}

/// caption_scores.json
struct ReferenceCaptionScores: Decodable {
    struct Image: Decodable {
        let image_id: Int
        let tokenized_candidate: String
        let tokenized_references: [String]
        let bleu: [Double]
        let rouge_l: Double
        let cider_d: Double
    }

    let image_ids: [Int]
    let bleu: [Double]
    let rouge_l: Double
    let cider_d: Double
    let per_image: [Image]
}

/// tokenizer_cases.json
struct TokenizerCases: Decodable {
    struct Case: Decodable {
        let text: String
        let tokens: String
    }

    let cases: [Case]
}

/// vqa_scores.json
struct ReferenceVQAScores: Decodable {
    struct Question: Decodable {
        let question_id: Int
        let accuracy: Double
    }

    let overall: Double
    let official_overall_percent: Double
    let per_answer_type: [String: Double]
    let per_question_type: [String: Double]
    let per_question: [Question]
}

/// vqa_normalization.json
struct VQANormalizationCases: Decodable {
    struct Case: Decodable {
        let text: String
        let punctuation: String
        let prediction: String
    }

    let cases: [Case]
}

/// Byte-wise text equality: `String ==` treats canonically equivalent text as equal.
func sameBytes(_ a: String, _ b: String) -> Bool { a.utf8.elementsEqual(b.utf8) }
