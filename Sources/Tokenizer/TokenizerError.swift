/// Everything that can go wrong while building a ``BPETokenizer`` or reading its vocabulary files.
///
/// Each case carries enough context (file, line, token) for the message to say what to fix.
public enum TokenizerError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The token list is empty; a BPE tokenizer needs at least the byte-level alphabet.
    case emptyVocabulary
    /// The vocabulary has more entries than an `Int32` id can address.
    case vocabularyTooLarge(count: Int)
    /// The same token string appears at two ids.
    case duplicateToken(token: String, firstID: Int, secondID: Int)
    /// A merge line is not exactly two non-empty parts separated by one space.
    case malformedMerge(rank: Int, line: String)
    /// One side of a merge is not a token of the vocabulary.
    case mergePartNotInVocabulary(rank: Int, line: String, part: String)
    /// The concatenation of a merge's two parts is not a token of the vocabulary.
    case mergeResultNotInVocabulary(rank: Int, line: String, result: String)
    /// A special token is the empty string, which would match everywhere.
    case emptySpecialToken
    /// A special token is not one of the vocabulary's tokens, so it has no id.
    case specialTokenNotInVocabulary(token: String)
    /// A vocabulary or merges file could not be read.
    case unreadableFile(path: String, reason: String)
    /// `vocab.json` is not a JSON object mapping token strings to integer ids.
    case invalidVocabularyJSON(path: String, reason: String)
    /// Two tokens of `vocab.json` share one id.
    case duplicateID(path: String, id: Int, tokens: [String])
    /// The ids of `vocab.json` are not exactly `0..<count`.
    case nonContiguousIDs(path: String, detail: String)
    /// `merges.txt` is not valid UTF-8 or has a line that is not `left right`.
    case invalidMergesFile(path: String, line: Int, reason: String)

    /// A human-readable explanation that names the offending file, line or token.
    public var description: String {
        switch self {
        case .emptyVocabulary:
            return "tokenizer vocabulary is empty; pass the token strings in id order"
        case .vocabularyTooLarge(let count):
            return "tokenizer vocabulary has \(count) tokens, more than Int32 ids can address"
        case .duplicateToken(let token, let first, let second):
            return "token \(quoted(token)) appears twice in the vocabulary (ids \(first) and \(second)); token strings must be unique"
        case .malformedMerge(let rank, let line):
            return "merge #\(rank) \(quoted(line)) is malformed; expected two non-empty tokens separated by one space"
        case .mergePartNotInVocabulary(let rank, let line, let part):
            return "merge #\(rank) \(quoted(line)) uses \(quoted(part)), which is not in the vocabulary; vocabulary and merges must come from the same tokenizer"
        case .mergeResultNotInVocabulary(let rank, let line, let result):
            return "merge #\(rank) \(quoted(line)) produces \(quoted(result)), which is not in the vocabulary; vocabulary and merges must come from the same tokenizer"
        case .emptySpecialToken:
            return "a special token is the empty string; remove it from the special-token list"
        case .specialTokenNotInVocabulary(let token):
            return "special token \(quoted(token)) is not in the vocabulary, so it has no id; add it to the tokens or drop it from the special tokens"
        case .unreadableFile(let path, let reason):
            return "cannot read \(path): \(reason)"
        case .invalidVocabularyJSON(let path, let reason):
            return "\(path) is not a vocab.json (a JSON object of token -> integer id): \(reason)"
        case .duplicateID(let path, let id, let tokens):
            return "\(path): id \(id) is used by several tokens (\(tokens.map(quoted).joined(separator: ", "))); every id must name one token"
        case .nonContiguousIDs(let path, let detail):
            return "\(path): token ids must be exactly 0..<count with no gaps: \(detail)"
        case .invalidMergesFile(let path, let line, let reason):
            return "\(path), line \(line): \(reason); expected lines of the form `left right`"
        }
    }
}

/// Quotes a token for messages, escaping control and invisible characters so they stay visible.
private func quoted(_ text: String) -> String {
    let limit = 80
    let shown = text.count > limit ? String(text.prefix(limit)) + "…" : text
    return "\"" + shown.unicodeScalars.map { $0.escaped(asASCII: false) }.joined() + "\""
}
