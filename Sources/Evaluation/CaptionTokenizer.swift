// pycocoevalcap/tokenizer/ptbtokenizer.py: captions go through Stanford CoreNLP 3.4.1's
// `PTBTokenizer -preserveLines -lowerCase` as one newline-separated file, and punctuation tokens
// are dropped from each output line.

/// Tokenizes captions exactly as pycocoevalcap does before BLEU, ROUGE-L and CIDEr-D.
///
/// The PTB lexer is reimplemented in Swift (see `PTB/`); it was checked token-for-token against
/// the CoreNLP jar. Not thread-safe: create one per task.
public final class CaptionTokenizer {
    /// The tokens pycocoevalcap removes after tokenizing. The bracket names are upper case while
    /// the tokenizer's output is lower case, so `-lrb-` and `-rrb-` survive, as in the reference.
    public static let punctuation: Set<String> = [
        "''", "'", "``", "`", "-LRB-", "-RRB-", "-LCB-", "-RCB-",
        ".", "?", "!", ",", ":", "-", "--", "...", ";",
    ]

    /// Compared by bytes: the reference compares code points, not canonical equivalence.
    private static let punctuationBytes = Set(punctuation.map { Array($0.utf8) })

    private let lexer = PTBLexer()

    public init() {}

    /// One space-joined token string per caption, in order.
    ///
    /// Captions are tokenized as one stream joined by `\n`, as the reference does, because a few
    /// PTB rules look past the end of a line (an abbreviation at the end of one caption is read
    /// differently when the next caption starts with a capital or a digit). Other line-break
    /// characters inside a caption (`\r`, U+2028, ...) count as spaces; the reference would start
    /// a new output line there and misalign every later caption.
    public func tokenize(_ captions: [String]) -> [String] {
        lowercasedTokenLines(captions).map { tokens in
            tokens.filter { !Self.punctuationBytes.contains(Array($0.utf8)) }.joined(separator: " ")
        }
    }

    /// The lowercased PTB tokens of each caption, before punctuation is removed.
    func lowercasedTokenLines(_ captions: [String]) -> [[String]] {
        guard !captions.isEmpty else { return [] }
        let stream = captions.map(Self.flattenLineBreaks).joined(separator: "\n")
        var lines: [[String]] = [[]]
        for lexeme in lexer.lex(stream) {
            switch lexeme {
            case .newline: lines.append([])
            case .token(let text): lines[lines.count - 1].append(UnicodeCase.lowercase(text, sigma: .java))
            }
        }
        // Defensive: the stream has exactly captions.count - 1 line breaks.
        while lines.count < captions.count { lines.append([]) }
        return Array(lines.prefix(captions.count))
    }

    /// `\n` becomes a space (as in the reference) and so do the other characters the lexer treats as line ends.
    private static func flattenLineBreaks(_ caption: String) -> String {
        var out = String.UnicodeScalarView()
        for scalar in caption.unicodeScalars {
            switch scalar.value {
            case 0x0A, 0x0B, 0x0C, 0x0D, 0x2028, 0x2029: out.append(" ")
            default: out.append(scalar)
            }
        }
        return String(out)
    }
}
