import Testing
import Tokenizer

/// Compares the tokenizer with HF GPT2TokenizerFast on every case of the shared fixture.
/// Text comparisons use UTF-8 bytes because `String ==` treats canonically equivalent text
/// (e.g. "é" and "e\u{301}") as equal, which would hide a wrong scalar sequence.
@Suite("GPT-2 fixture (HF GPT2TokenizerFast)")
struct GPT2FixtureTests {
    @Test("fixture and vocabulary are present")
    func fixtureIsPresent() throws {
        // Parameterized tests below run zero cases without the fixture; this makes that a failure.
        let cases = try TestData.loadedCases.get()
        let tokenizer = try TestData.gpt2()
        #expect(cases.count > 0)
        #expect(tokenizer.count == 50257)
    }

    @Test("encode gives HF's ids", arguments: TestData.cases)
    func encodeMatchesHF(_ example: FixtureCase) throws {
        let tokenizer = try TestData.gpt2()
        let ids = tokenizer.encode(example.text)
        #expect(ids == example.ids, "text scalars: \(scalarDump(example.text))")
    }

    @Test("decode restores the text", arguments: TestData.cases)
    func decodeRoundTrips(_ example: FixtureCase) throws {
        let tokenizer = try TestData.gpt2()
        #expect(Array(tokenizer.decode(example.ids).utf8) == Array(example.text.utf8), "text scalars: \(scalarDump(example.text))")
    }

    @Test("streaming one id at a time restores the text without U+FFFD", arguments: TestData.cases)
    func streamingRoundTrips(_ example: FixtureCase) throws {
        var stream = StreamingDetokenizer(tokenizer: try TestData.gpt2())
        var text = ""
        for id in example.ids {
            let piece = stream.append(id)
            #expect(!piece.unicodeScalars.contains("\u{FFFD}") || example.text.unicodeScalars.contains("\u{FFFD}"),
                    "id \(id) emitted a replacement character")
            text += piece
        }
        text += stream.flush()
        #expect(Array(text.utf8) == Array(example.text.utf8), "text scalars: \(scalarDump(example.text))")
    }
}
