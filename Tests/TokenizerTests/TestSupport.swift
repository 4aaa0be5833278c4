import Foundation
import Testing
import Tokenizer

/// A setup problem (missing vocabulary or fixture) that must fail the tests, never skip them.
struct MissingTestData: Error, CustomStringConvertible {
    let description: String
}

/// One fixture case: a text and the ids HF's GPT2TokenizerFast gives it.
struct FixtureCase: Decodable, Sendable, CustomTestStringConvertible {
    let text: String
    let ids: [Int32]

    var testDescription: String {
        let shown = text.count > 40 ? String(text.prefix(40)) + "…" : text
        return String(reflecting: shown)
    }
}

/// Locations of the shared test data, found from this file's path so tests run from any directory.
enum TestData {
    /// Tests/TokenizerTests/TestSupport.swift -> repository root.
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // TokenizerTests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()  // repository root

    /// The genuine GPT-2 vocabulary lives beside the repository, in ../shared/gpt2.
    static let vocabularyDirectory = repositoryRoot
        .appendingPathComponent("..").appendingPathComponent("shared").appendingPathComponent("gpt2")
        .standardizedFileURL
    static let vocabJSON = vocabularyDirectory.appendingPathComponent("vocab.json")
    static let mergesTXT = vocabularyDirectory.appendingPathComponent("merges.txt")

    /// Cases made with HF GPT2TokenizerFast.
    static let fixtureFile = repositoryRoot
        .appendingPathComponent("Tests/Fixtures/tokenizer/gpt2_cases.json")

    /// The GPT-2 tokenizer, loaded once for all tests.
    static let loadedGPT2: Result<BPETokenizer, MissingTestData> = {
        for file in [vocabJSON, mergesTXT] where !FileManager.default.fileExists(atPath: file.path) {
            return .failure(MissingTestData(description:
                "GPT-2 vocabulary file missing: looked for \(file.path) (expected <repo root>/../shared/gpt2/vocab.json and merges.txt)"))
        }
        do {
            return .success(try BPETokenizer(vocabJSON: vocabJSON, mergesTXT: mergesTXT))
        } catch {
            return .failure(MissingTestData(description: "GPT-2 vocabulary at \(vocabularyDirectory.path) failed to load: \(error)"))
        }
    }()

    /// The GPT-2 tokenizer, or a thrown error saying what is missing and where it was looked for.
    static func gpt2() throws -> BPETokenizer {
        try loadedGPT2.get()
    }

    /// The fixture cases, loaded once.
    static let loadedCases: Result<[FixtureCase], MissingTestData> = {
        let path = fixtureFile.path
        guard FileManager.default.fileExists(atPath: path) else {
            return .failure(MissingTestData(description:
                "tokenizer fixture missing: looked for \(path) (a JSON list of {\"text\", \"ids\"} made with HF GPT2TokenizerFast)"))
        }
        do {
            let cases = try JSONDecoder().decode([FixtureCase].self, from: Data(contentsOf: fixtureFile))
            guard !cases.isEmpty else { return .failure(MissingTestData(description: "tokenizer fixture \(path) has no cases")) }
            return .success(cases)
        } catch {
            return .failure(MissingTestData(description: "tokenizer fixture \(path) is unreadable: \(error)"))
        }
    }()

    /// Arguments for parameterized tests; empty if the fixture is missing, which
    /// `GPT2FixtureTests.fixtureIsPresent` reports as a failure.
    static var cases: [FixtureCase] {
        (try? loadedCases.get()) ?? []
    }
}

/// The scalars of a string in U+XXXX form, to make mismatches of invisible characters readable.
func scalarDump(_ text: String) -> String {
    text.unicodeScalars.map { "U+" + String($0.value, radix: 16, uppercase: true) }.joined(separator: " ")
}
