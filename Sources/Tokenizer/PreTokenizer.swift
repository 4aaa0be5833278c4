/// GPT-2's pre-tokenizer, written out by hand instead of run through a regex engine.
///
/// It reproduces, over Unicode scalars, what HF tokenizers' backtracking regex does with
///
///     's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
///
/// The alternatives cover every scalar, so the text splits into consecutive pieces with no gaps.
enum PreTokenizer {
    /// Splits `bytes[range]` (valid UTF-8) into pieces and appends each piece's byte range to `pieces`.
    static func split(_ bytes: [UInt8], _ range: Range<Int>, into pieces: inout [Range<Int>]) {
        let scalars = DecodedScalars(bytes, range)
        var index = 0
        while index < scalars.count {
            let end = pieceEnd(scalars, from: index)
            pieces.append(scalars.offsets[index]..<scalars.offsets[end])
            index = end
        }
    }

    /// The scalar index just past the piece that the regex matches at `start`.
    static func pieceEnd(_ scalars: DecodedScalars, from start: Int) -> Int {
        let values = scalars.values
        let classes = scalars.classes
        let count = values.count

        // 's 't 're 've 'm 'll 'd: tried first, lowercase ASCII only, as in GPT-2.
        if values[start] == apostrophe, start + 1 < count {
            let first = values[start + 1]
            if first == s || first == t || first == m || first == d { return start + 2 }
            if start + 2 < count {
                let second = values[start + 2]
                if (first == r || first == v) && second == e { return start + 3 }
                if first == l && second == l { return start + 3 }
            }
        }

        // ` ?\p{L}+`, ` ?\p{N}+`, ` ?[^\s\p{L}\p{N}]+`: an optional U+0020 then a run of one class.
        // Only a plain space may lead; other whitespace never joins the following word.
        var runStart = start
        if values[start] == space, start + 1 < count, classes[start + 1] != .whitespace {
            runStart = start + 1
        }
        let runClass = classes[runStart]
        if runClass != .whitespace {
            var end = runStart + 1
            while end < count && classes[end] == runClass { end += 1 }
            return end
        }

        // `\s+(?!\S)` then `\s+`: a whitespace run keeps its last scalar back for the next word
        // (so " word" stays together), unless the run ends the text or is a single scalar.
        var end = start + 1
        while end < count && classes[end] == .whitespace { end += 1 }
        if end == count { return end }
        return end - start >= 2 ? end - 1 : end
    }

    private static let apostrophe = UInt32(UInt8(ascii: "'"))
    private static let space = UInt32(UInt8(ascii: " "))
    private static let s = UInt32(UInt8(ascii: "s"))
    private static let t = UInt32(UInt8(ascii: "t"))
    private static let m = UInt32(UInt8(ascii: "m"))
    private static let d = UInt32(UInt8(ascii: "d"))
    private static let r = UInt32(UInt8(ascii: "r"))
    private static let v = UInt32(UInt8(ascii: "v"))
    private static let e = UInt32(UInt8(ascii: "e"))
    private static let l = UInt32(UInt8(ascii: "l"))
}

/// The scalars of a UTF-8 byte range with their classes and byte offsets.
struct DecodedScalars {
    /// Scalar values in text order.
    var values: [UInt32] = []
    /// The regex class of each scalar.
    var classes: [ScalarClass] = []
    /// Byte offset of each scalar, plus one final entry for the end of the range.
    var offsets: [Int] = []

    /// Number of scalars.
    var count: Int { values.count }

    /// Decodes `bytes[range]`. Input comes from a Swift `String` and is valid UTF-8, but a stray
    /// invalid byte is still handled (as a one-byte `other` scalar) rather than trapping.
    init(_ bytes: [UInt8], _ range: Range<Int>) {
        values.reserveCapacity(range.count)
        classes.reserveCapacity(range.count)
        offsets.reserveCapacity(range.count + 1)
        var index = range.lowerBound
        while index < range.upperBound {
            let (value, length) = Self.decode(bytes, at: index, end: range.upperBound)
            values.append(value)
            classes.append(length == 0 ? .other : ScalarClass.of(value))
            offsets.append(index)
            index += max(length, 1)
        }
        offsets.append(range.upperBound)
    }

    /// Decodes one scalar at `index`; a length of 0 means the byte does not start a valid sequence.
    private static func decode(_ bytes: [UInt8], at index: Int, end: Int) -> (UInt32, Int) {
        let lead = bytes[index]
        if lead < 0x80 { return (UInt32(lead), 1) }
        let length: Int
        var value: UInt32
        switch lead {
        case 0xC2...0xDF: length = 2; value = UInt32(lead & 0x1F)
        case 0xE0...0xEF: length = 3; value = UInt32(lead & 0x0F)
        case 0xF0...0xF4: length = 4; value = UInt32(lead & 0x07)
        default: return (0xFFFD, 0)
        }
        guard index + length <= end else { return (0xFFFD, 0) }
        for offset in 1..<length {
            let byte = bytes[index + offset]
            guard byte & 0xC0 == 0x80 else { return (0xFFFD, 0) }
            value = value << 6 | UInt32(byte & 0x3F)
        }
        return (value, length)
    }
}
