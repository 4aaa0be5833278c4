import Foundation
import Testing
import Tokenizer

/// Known encodings. The first four come from shared/gpt2/README.md; the rest were produced with
/// HF GPT2TokenizerFast (transformers 5.23, tokenizers 0.23.3) to pin down the pre-tokenizer's
/// corner cases, each chosen for one rule of the regex.
@Suite("Known GPT-2 encodings")
struct KnownValuesTests {
    struct Known: Sendable, CustomTestStringConvertible {
        let text: String
        let ids: [Int32]
        var testDescription: String { String(reflecting: text) }
    }

    static let known: [Known] = [
        // shared/gpt2/README.md
        Known(text: "Hello world", ids: [15496, 995]),
        Known(text: " the", ids: [262]),
        Known(text: "<|endoftext|>", ids: [50256]),
        Known(text: "A picture of a cat. Ünïcödé 日本語 can't  spaces\n\nnewline",
              ids: [32, 4286, 286, 257, 3797, 13, 49363, 77, 26884, 66, 9101, 67, 2634, 10545, 245, 98, 17312, 105,
                    45739, 252, 460, 470, 220, 9029, 198, 198, 3605, 1370]),
        // Contractions are lowercase only; "'T" splits into "'" and "T".
        Known(text: "I'm DON'T it's", ids: [40, 1101, 23917, 6, 51, 340, 338]),
        // A punctuation run swallows apostrophes, so no contraction is found inside it.
        Known(text: "a'''s", ids: [64, 7061, 6, 82]),
        // Only U+0020 may lead a piece; a no-break space stands alone.
        Known(text: "x\u{A0} y", ids: [87, 1849, 331]),
        // `\s+(?!\S)` leaves the last space of a run for the next word.
        Known(text: "a  \n\n b", ids: [64, 220, 220, 628, 275]),
        Known(text: "   x", ids: [220, 220, 2124]),
        // Combining marks are neither letters nor numbers.
        Known(text: "e\u{301}\u{301}", ids: [68, 136, 223, 136, 223]),
        // Any \p{N}, not just ASCII digits.
        Known(text: "12345 \u{663}\u{663}", ids: [10163, 2231, 18923, 96, 149, 96]),
        // Letters new in Unicode 17 are unassigned (not \p{L}) to HF's regex engine.
        Known(text: "Unicode 17: \u{10940}\u{10941}",
              ids: [3118, 291, 1098, 1596, 25, 220, 172, 238, 98, 222, 172, 238, 98, 223]),
        Known(text: "<|endoftext|><|endoftext|>x", ids: [50256, 50256, 87]),
        Known(text: "<|endoftext", ids: [27, 91, 437, 1659, 5239]),
        Known(text: "\r\n", ids: [201, 198]),
        Known(text: "Hi 🤗!", ids: [17250, 12520, 97, 245, 0]),
        Known(text: "", ids: []),
    ]

    @Test("encode gives the known ids", arguments: known)
    func encodes(_ example: Known) throws {
        let tokenizer = try TestData.gpt2()
        #expect(tokenizer.encode(example.text) == example.ids)
        #expect(Array(tokenizer.decode(example.ids).utf8) == Array(example.text.utf8))
    }

    @Test("token lookups")
    func lookups() throws {
        let tokenizer = try TestData.gpt2()
        #expect(tokenizer.count == 50257)
        #expect(tokenizer.id(of: "Ġthe") == 262)
        #expect(tokenizer.id(of: "<|endoftext|>") == 50256)
        #expect(tokenizer.id(of: "not a token") == nil)
        #expect(tokenizer.token(262) == "Ġthe")
        #expect(tokenizer.tokenBytes(262) == Array(" the".utf8))
        #expect(tokenizer.tokenBytes(198) == [0x0A])
        #expect(tokenizer.tokenBytes(50256) == Array("<|endoftext|>".utf8))
        #expect(tokenizer.tokenBytes(8582) == [0xF0, 0x9F])  // "ðŁ": first half of an emoji
        #expect(tokenizer.tokenBytes(-1) == nil)
        #expect(tokenizer.tokenBytes(50257) == nil)
    }

    @Test("decode replaces invalid UTF-8 and skips unknown ids")
    func decodeIsLossy() throws {
        let tokenizer = try TestData.gpt2()
        // 8582 is F0 9F, an emoji cut short, followed by "!".
        #expect(tokenizer.decode([8582, 0]) == "\u{FFFD}!")
        #expect(tokenizer.decode([15496, -5, 99_999, 995]) == "Hello world")
    }

    @Test("a 10,000-letter word encodes quickly and round-trips")
    func longWord() throws {
        let tokenizer = try TestData.gpt2()
        let text = String(repeating: "a", count: 10_000)
        let clock = ContinuousClock()
        var ids: [Int32] = []
        let elapsed = clock.measure { ids = tokenizer.encode(text) }
        // HF gives 2500 tokens of "aaaa" (id 24794).
        #expect(ids == [Int32](repeating: 24794, count: 2500))
        #expect(tokenizer.decode(ids) == text)
        #expect(elapsed < .seconds(2), "took \(elapsed) even in a debug build")
    }

    @Test("odd input never traps and always round-trips")
    func oddInput() throws {
        let tokenizer = try TestData.gpt2()
        let texts = ["\0", "\u{FFFD}", "\u{10FFFF}", "\u{FEFF}\u{200B}", String(repeating: " ", count: 5000),
                     String(repeating: "\u{301}", count: 3000), String(repeating: "🤗", count: 2000),
                     String(repeating: "<|endoftext|>", count: 100), "<|endoftext|", "'", "' ", " '"]
        for text in texts {
            let ids = tokenizer.encode(text)
            #expect(ids.allSatisfy { $0 >= 0 && Int($0) < tokenizer.count })
            #expect(Array(tokenizer.decode(ids).utf8) == Array(text.utf8), "\(scalarDump(String(text.prefix(8))))")
        }
    }
}
