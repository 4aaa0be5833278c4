/// Turns generated token ids into text one id at a time, for printing output as it is produced.
///
/// GPT-2 tokens are byte sequences, so one character (an emoji, a CJK ideograph) can span several
/// tokens. `append` only emits text that is complete: it holds back a trailing incomplete UTF-8
/// sequence until the bytes that finish it arrive. Concatenating every `append` result and the
/// final `flush` gives exactly ``BPETokenizer/decode(_:)`` of all the ids.
public struct StreamingDetokenizer: Sendable {
    /// The tokenizer whose ids are being decoded.
    public let tokenizer: BPETokenizer
    /// Bytes not yet emitted: at most the start of one multi-byte character.
    private var pending: [UInt8] = []

    /// Creates a detokenizer with nothing pending.
    public init(tokenizer: BPETokenizer) {
        self.tokenizer = tokenizer
    }

    /// Whether bytes of an unfinished character are being held back.
    public var hasPendingBytes: Bool { !pending.isEmpty }

    /// Adds one token and returns the text that is now complete (possibly empty).
    /// Ids outside the vocabulary are ignored, as ``BPETokenizer/decode(_:)`` ignores them.
    public mutating func append(_ id: Int32) -> String {
        guard tokenizer.appendBytes(of: id, to: &pending) else { return "" }
        let cut = UTF8Tail.incompleteSuffixStart(pending)
        if cut == 0 { return "" }
        let text = String(decoding: pending[..<cut], as: UTF8.self)
        pending.removeFirst(cut)
        return text
    }

    /// Returns whatever is still held back (an unfinished sequence becomes U+FFFD) and empties the buffer.
    public mutating func flush() -> String {
        defer { pending.removeAll() }
        return String(decoding: pending, as: UTF8.self)
    }
}

/// UTF-8 boundary checks for streaming.
enum UTF8Tail {
    /// The index where a trailing, still-completable multi-byte sequence starts, or `bytes.count`
    /// if the bytes end on a character boundary or with bytes no continuation could make valid.
    ///
    /// Cutting here is safe: decoding the prefix and then the rest gives the same text as decoding
    /// everything at once, because the held bytes form a valid prefix of a single scalar.
    static func incompleteSuffixStart(_ bytes: [UInt8]) -> Int {
        let count = bytes.count
        var start = count - 1
        // Walk back over at most three continuation bytes to the byte that begins the sequence.
        while start >= 0 && count - start <= 3 && bytes[start] & 0xC0 == 0x80 { start -= 1 }
        guard start >= 0 else { return count }
        let lead = bytes[start]
        let needed: Int
        switch lead {
        case 0xC2...0xDF: needed = 2
        case 0xE0...0xEF: needed = 3
        case 0xF0...0xF4: needed = 4
        default: return count  // ASCII, a stray continuation run, or a byte that never starts a sequence
        }
        let have = count - start
        guard have < needed else { return count }
        // The second byte has a narrower range after some leads (no overlongs, surrogates or > U+10FFFF).
        if have >= 2 {
            let second = bytes[start + 1]
            let allowed: ClosedRange<UInt8>
            switch lead {
            case 0xE0: allowed = 0xA0...0xBF
            case 0xED: allowed = 0x80...0x9F
            case 0xF0: allowed = 0x90...0xBF
            case 0xF4: allowed = 0x80...0x8F
            default: allowed = 0x80...0xBF
            }
            guard allowed.contains(second) else { return count }
        }
        return start
    }
}
