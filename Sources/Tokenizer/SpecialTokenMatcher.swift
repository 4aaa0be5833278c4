/// Finds special tokens (e.g. `<|endoftext|>`) in text so they bypass the pre-tokenizer and BPE.
///
/// Matching is exact and leftmost-longest over UTF-8 bytes, like HF tokenizers' added-token
/// splitting: the earliest match wins and, among matches starting there, the longest.
struct SpecialTokenMatcher: Sendable {
    /// A piece of text: ordinary bytes to pre-tokenize, or one special token's id.
    enum Segment: Equatable {
        case text(Range<Int>)
        case special(Int32)
    }

    private struct Pattern: Sendable {
        var bytes: [UInt8]
        var id: Int32
    }

    /// Patterns sorted longest first, so the first hit at a position is the longest.
    private let patterns: [Pattern]
    /// Whether any pattern starts with a given byte; skips most positions cheaply.
    private let startsPattern: [Bool]

    /// Builds a matcher from (UTF-8 bytes, id) pairs; empty patterns are ignored.
    init(_ tokens: [(bytes: [UInt8], id: Int32)]) {
        let kept = tokens.filter { !$0.bytes.isEmpty }.map { Pattern(bytes: $0.bytes, id: $0.id) }
        patterns = kept.sorted { $0.bytes.count > $1.bytes.count }
        var starts = [Bool](repeating: false, count: 256)
        for pattern in kept { if let first = pattern.bytes.first { starts[Int(first)] = true } }
        startsPattern = starts
    }

    /// Splits `bytes` into text segments and special tokens, in order; empty text is omitted.
    func segments(_ bytes: [UInt8]) -> [Segment] {
        if patterns.isEmpty { return bytes.isEmpty ? [] : [.text(0..<bytes.count)] }
        var result: [Segment] = []
        var textStart = 0
        var index = 0
        while index < bytes.count {
            if startsPattern[Int(bytes[index])], let hit = match(bytes, at: index) {
                if textStart < index { result.append(.text(textStart..<index)) }
                result.append(.special(hit.id))
                index += hit.bytes.count
                textStart = index
            } else {
                index += 1
            }
        }
        if textStart < bytes.count { result.append(.text(textStart..<bytes.count)) }
        return result
    }

    /// The longest pattern that occurs at `index`, if any.
    private func match(_ bytes: [UInt8], at index: Int) -> Pattern? {
        for pattern in patterns where index + pattern.bytes.count <= bytes.count {
            var equal = true
            for offset in 0..<pattern.bytes.count where bytes[index + offset] != pattern.bytes[offset] {
                equal = false
                break
            }
            if equal { return pattern }
        }
        return nil
    }
}
