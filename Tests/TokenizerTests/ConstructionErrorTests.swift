import Foundation
import Testing
import Tokenizer

/// A tiny byte-level vocabulary: "a", "b", "c", "Ġ", merges a+b and ab+c.
private let tinyTokens = ["a", "b", "c", "Ġ", "ab", "abc", "<|endoftext|>"]
private let tinyMerges = ["a b", "ab c"]

@Suite("Construction and loading errors")
struct ConstructionErrorTests {
    @Test("a consistent tiny vocabulary builds and merges by rank")
    func tinyVocabulary() throws {
        let tokenizer = try BPETokenizer(tokens: tinyTokens, merges: tinyMerges, specialTokens: ["<|endoftext|>"])
        #expect(tokenizer.count == 7)
        #expect(tokenizer.encode("abc abcab<|endoftext|>") == [5, 3, 5, 4, 6])
        // The space byte's token is present but no merge joins it, as in "Ġ" + "abc".
        #expect(tokenizer.decode([5, 3, 5]) == "abc abc")
    }

    @Test("a later duplicate merge overrides the earlier rank, as in HF tokenizers")
    func duplicateMerge() throws {
        let tokens = ["a", "b", "c", "ab", "bc"]
        // HF gives ["a", "bc"] for ["a b", "b c", "a b"] and ["ab", "c"] for ["b c", "a b", "b c"].
        let first = try BPETokenizer(tokens: tokens, merges: ["a b", "b c", "a b"], specialTokens: [])
        #expect(first.encode("abc") == [0, 4])
        let second = try BPETokenizer(tokens: tokens, merges: ["b c", "a b", "b c"], specialTokens: [])
        #expect(second.encode("abc") == [3, 2])
    }

    @Test("bytes missing from the vocabulary are dropped, not trapped on")
    func missingBytes() throws {
        let tokenizer = try BPETokenizer(tokens: tinyTokens, merges: tinyMerges, specialTokens: [])
        #expect(tokenizer.encode("xaz") == [0])
    }

    @Test("duplicate token")
    func duplicateToken() {
        #expect(throws: TokenizerError.duplicateToken(token: "a", firstID: 0, secondID: 2)) {
            try BPETokenizer(tokens: ["a", "b", "a"], merges: [], specialTokens: [])
        }
    }

    @Test("merge errors", arguments: [
        ("a x", TokenizerError.mergePartNotInVocabulary(rank: 1, line: "a x", part: "x")),
        ("x a", TokenizerError.mergePartNotInVocabulary(rank: 1, line: "x a", part: "x")),
        ("b c", TokenizerError.mergeResultNotInVocabulary(rank: 1, line: "b c", result: "bc")),
        ("ab", TokenizerError.malformedMerge(rank: 1, line: "ab")),
        ("a  b", TokenizerError.malformedMerge(rank: 1, line: "a  b")),
        ("a b c", TokenizerError.malformedMerge(rank: 1, line: "a b c")),
        ("", TokenizerError.malformedMerge(rank: 1, line: "")),
    ])
    func badMerge(line: String, expected: TokenizerError) {
        #expect(throws: expected) {
            try BPETokenizer(tokens: tinyTokens, merges: ["a b", line], specialTokens: [])
        }
    }

    @Test("other construction errors")
    func otherErrors() {
        #expect(throws: TokenizerError.emptyVocabulary) {
            try BPETokenizer(tokens: [], merges: [], specialTokens: [])
        }
        #expect(throws: TokenizerError.specialTokenNotInVocabulary(token: "<|pad|>")) {
            try BPETokenizer(tokens: tinyTokens, merges: tinyMerges, specialTokens: ["<|pad|>"])
        }
        #expect(throws: TokenizerError.emptySpecialToken) {
            try BPETokenizer(tokens: tinyTokens, merges: tinyMerges, specialTokens: [""])
        }
    }

    @Test("error messages say what to fix")
    func messages() {
        let message = TokenizerError.mergePartNotInVocabulary(rank: 7, line: "a\nx", part: "a\nx").description
        #expect(message.contains("merge #7"))
        #expect(message.contains("\\n"))  // control characters are shown escaped
        #expect(TokenizerError.duplicateToken(token: "Ġthe", firstID: 1, secondID: 2).description.contains("Ġthe"))
    }
}

@Suite("Vocabulary files")
struct VocabularyFileTests {
    /// Writes `vocab.json` and `merges.txt` into a fresh temporary directory.
    private func write(vocab: String, merges: String) throws -> (vocab: URL, merges: URL) {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("TokenizerTests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let vocabURL = directory.appendingPathComponent("vocab.json")
        let mergesURL = directory.appendingPathComponent("merges.txt")
        try Data(vocab.utf8).write(to: vocabURL)
        try Data(merges.utf8).write(to: mergesURL)
        return (vocabURL, mergesURL)
    }

    @Test("reads vocab.json and merges.txt with a #version line, CRLF and a final newline")
    func loads() throws {
        let files = try write(vocab: #"{"b": 1, "a": 0, "ab": 2}"#, merges: "#version: 0.2\r\na b\r\n")
        defer { try? FileManager.default.removeItem(at: files.vocab.deletingLastPathComponent()) }
        let loaded = try BPETokenizer.load(vocabJSON: files.vocab, mergesTXT: files.merges)
        #expect(loaded.tokens == ["a", "b", "ab"])
        #expect(loaded.merges == ["a b"])
        let tokenizer = try BPETokenizer(vocabJSON: files.vocab, mergesTXT: files.merges, specialTokens: [])
        #expect(tokenizer.encode("abab") == [2, 2])  // no rule joins "ab" with "ab"
    }

    @Test("ids with a gap are rejected, naming the file")
    func gap() throws {
        let files = try write(vocab: #"{"a": 0, "b": 2}"#, merges: "")
        defer { try? FileManager.default.removeItem(at: files.vocab.deletingLastPathComponent()) }
        do {
            _ = try BPETokenizer.load(vocabJSON: files.vocab, mergesTXT: files.merges)
            Issue.record("expected an error")
        } catch {
            guard case .nonContiguousIDs(let path, _) = error else {
                Issue.record("wrong error: \(error)")
                return
            }
            #expect(path == files.vocab.path)
            #expect(error.description.contains(files.vocab.path))
        }
    }

    @Test("malformed files are rejected, naming the file", arguments: [
        (#"{"a": 0, "b": 0}"#, "a b\n", "vocab.json"),
        (#"["a", "b"]"#, "a b\n", "vocab.json"),
        (#"{"a": 0, "b": 1.5}"#, "a b\n", "vocab.json"),
        (#"{"a": 0, "b": 1}"#, "#version: 0.2\na b\nab\n", "merges.txt"),
        (#"{"a": 0, "b": 1}"#, "a b\n\n", "merges.txt"),
    ])
    func malformed(vocab: String, merges: String, culprit: String) throws {
        let files = try write(vocab: vocab, merges: merges)
        defer { try? FileManager.default.removeItem(at: files.vocab.deletingLastPathComponent()) }
        do {
            _ = try BPETokenizer.load(vocabJSON: files.vocab, mergesTXT: files.merges)
            Issue.record("expected an error")
        } catch {
            let named = culprit == "vocab.json" ? files.vocab.path : files.merges.path
            #expect(error.description.contains(named), "\(error)")
        }
    }

    @Test("a missing file is reported with its path")
    func missingFile() {
        let nowhere = URL(fileURLWithPath: "/nonexistent/glimpse/vocab.json")
        do {
            _ = try BPETokenizer.load(vocabJSON: nowhere, mergesTXT: nowhere)
            Issue.record("expected an error")
        } catch {
            #expect(error.description.contains("/nonexistent/glimpse/vocab.json"))
        }
    }
}
