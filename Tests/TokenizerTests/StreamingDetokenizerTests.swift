import Testing
import TestSupport
import Tokenizer

@Suite("Streaming detokenizer")
struct StreamingDetokenizerTests {
    @Test("an emoji split over three tokens appears only when complete")
    func emojiSpanningTokens() throws {
        let tokenizer = try TestData.gpt2()
        // HF: "Hi 🤗!" -> "Hi", "ĠðŁ" (space + F0 9F), "¤" (A4), "Ĺ" (97), "!"
        let ids: [Int32] = [17250, 12520, 97, 245, 0]
        #expect(tokenizer.encode("Hi 🤗!") == ids)
        var stream = StreamingDetokenizer(tokenizer: tokenizer)
        #expect(stream.append(17250) == "Hi")
        #expect(stream.append(12520) == " ")  // the space is complete; F0 9F is held
        #expect(stream.hasPendingBytes)
        #expect(stream.append(97) == "")
        #expect(stream.append(245) == "🤗")
        #expect(!stream.hasPendingBytes)
        #expect(stream.append(0) == "!")
        #expect(stream.flush() == "")
    }

    @Test("a CJK character split over two tokens")
    func cjkSpanningTokens() throws {
        let tokenizer = try TestData.gpt2()
        let ids = tokenizer.encode("日本語")
        #expect(ids == [33768, 98, 17312, 105, 45739, 252])
        var stream = StreamingDetokenizer(tokenizer: tokenizer)
        let pieces = ids.map { stream.append($0) }
        #expect(pieces == ["", "日", "", "本", "", "語"])
        #expect(stream.flush() == "")
    }

    @Test("flush turns an unfinished character into U+FFFD and empties the buffer")
    func flushIncomplete() throws {
        let tokenizer = try TestData.gpt2()
        var stream = StreamingDetokenizer(tokenizer: tokenizer)
        #expect(stream.append(8582) == "")  // F0 9F
        #expect(stream.flush() == "\u{FFFD}")
        #expect(stream.flush() == "")
        #expect(stream.append(15496) == "Hello")
    }

    @Test("bytes that can never complete are emitted at once, as decode would")
    func invalidIsNotHeld() throws {
        let tokenizer = try TestData.gpt2()
        // 97 is the lone continuation byte A4; 8582 then 0 is F0 9F then "!".
        for ids: [Int32] in [[97], [97, 97, 15496], [8582, 0], [15496, 8582, 8582, 97, 245]] {
            var stream = StreamingDetokenizer(tokenizer: tokenizer)
            var text = ""
            for id in ids { text += stream.append(id) }
            text += stream.flush()
            #expect(Array(text.utf8) == Array(tokenizer.decode(ids).utf8), "ids \(ids)")
        }
        var stream = StreamingDetokenizer(tokenizer: tokenizer)
        #expect(stream.append(97) == "\u{FFFD}")
        #expect(!stream.hasPendingBytes)
    }

    @Test("for arbitrary id sequences, streamed text equals decode", arguments: [1, 2, 3, 4, 5] as [UInt64])
    func arbitraryIDs(seed: UInt64) throws {
        let tokenizer = try TestData.gpt2()
        var generator = SplitMix64(seed: seed)
        // Ids 94...255 are mostly single non-ASCII bytes, the usual source of split characters.
        let ids = (0..<2000).map { _ in
            Int32(generator.next() % 4 == 0 ? generator.next() % 50257 : 94 + generator.next() % 162)
        }
        var stream = StreamingDetokenizer(tokenizer: tokenizer)
        var text = ""
        for id in ids { text += stream.append(id) }
        text += stream.flush()
        #expect(Array(text.utf8) == Array(tokenizer.decode(ids).utf8))
    }

    @Test("unknown ids are ignored")
    func unknownIDs() throws {
        var stream = StreamingDetokenizer(tokenizer: try TestData.gpt2())
        #expect(stream.append(-1) == "")
        #expect(stream.append(1_000_000) == "")
        #expect(stream.append(995) == " world")
    }
}

