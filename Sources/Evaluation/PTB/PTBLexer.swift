// The scanning loop of CoreNLP's PTBLexer (JFlex semantics: longest match, earliest rule wins,
// `r/s` returns the longest `r` for which `s` matches the rest) with the actions of its
// traditional-PTB3 state, as `PTBTokenizer -preserveLines` configures it.

/// The compiled rule table, shared by every lexer.
struct PTBCompiledRules: Sendable {
    let rules: [PTBRule]
    /// All rules at once, each `r` joined to its trailing context `s`, tagged by rule index.
    let combined: LexNFA
    /// For trailing-context rules: `r` and `s` alone, to find where the token ends.
    let heads: [Int: LexNFA]
    let tails: [Int: LexNFA]

    static let shared: PTBCompiledRules = {
        do {
            return try PTBCompiledRules(rules: PTBLexerRules.rules, macros: PTBLexerRules.macros)
        } catch {
            // The table is a constant of this module; EvaluationTests compile it on every run.
            preconditionFailure("\(error)")
        }
    }()

    init(rules: [PTBRule], macros: [String: String]) throws {
        let parser = LexPatternParser(macros: macros)
        var whole: [LexPattern] = []
        var heads: [Int: LexNFA] = [:]
        var tails: [Int: LexNFA] = [:]
        for (index, rule) in rules.enumerated() {
            let head = try parser.parse(rule.pattern)
            if let trailing = rule.trailing {
                let tail = try parser.parse(trailing)
                whole.append(.sequence([head, tail]))
                heads[index] = LexNFA([head])
                tails[index] = LexNFA([tail])
            } else {
                whole.append(head)
            }
        }
        self.rules = rules
        self.combined = LexNFA(whole)
        self.heads = heads
        self.tails = tails
    }
}

/// One scanned item: a token's text (before lowercasing) or an end of line.
enum PTBLexeme: Equatable, Sendable {
    case token(String)
    case newline
}

/// Splits text into PTB tokens. Holds lazily built automata, so use one per thread.
final class PTBLexer {
    private let compiled: PTBCompiledRules
    private let scanner: LexDFA
    private var headScanners: [Int: LexDFA] = [:]
    private var tailScanners: [Int: LexDFA] = [:]

    init(rules: PTBCompiledRules = .shared) {
        compiled = rules
        scanner = LexDFA(rules.combined)
    }

    /// Tokens and line breaks of `text`, in order; whitespace and untokenizable characters are dropped.
    func lex(_ text: String) -> [PTBLexeme] {
        let units = Array(text.utf16)
        var output: [PTBLexeme] = []
        var position = 0
        while position < units.count {
            guard let match = scanner.longestMatch(in: units, from: position), match.end > position else {
                position += 1  // unreachable: the last rule matches any single unit
                continue
            }
            let rule = compiled.rules[match.tag]
            var end = rule.trailing == nil ? match.end : headEnd(rule: match.tag, in: units, from: position, to: match.end)
            let (lexeme, consumed) = act(rule.action, units, position, end)
            end = consumed
            if let lexeme { output.append(lexeme) }
            position = max(end, position + 1)
        }
        return output
    }

    /// The longest `r` prefix of `units[start..<end]` after which the trailing context matches exactly.
    private func headEnd(rule: Int, in units: [UInt16], from start: Int, to end: Int) -> Int {
        let head = scanner(for: rule, in: &headScanners, compiled.heads)
        let tail = scanner(for: rule, in: &tailScanners, compiled.tails)
        for split in head.acceptingEnds(in: units, from: start, upTo: end).reversed() {
            if tail.acceptingEnds(in: units, from: split, upTo: end).last == end { return split }
        }
        return end
    }

    private func scanner(for rule: Int, in cache: inout [Int: LexDFA], _ nfas: [Int: LexNFA]) -> LexDFA {
        if let dfa = cache[rule] { return dfa }
        let dfa = LexDFA(nfas[rule] ?? LexNFA([]))
        cache[rule] = dfa
        return dfa
    }

    /// Runs a rule's action on `units[start..<end]`: the lexeme (if any) and where scanning resumes.
    private func act(_ action: PTBAction, _ units: [UInt16], _ start: Int, _ end: Int) -> (PTBLexeme?, Int) {
        let text = String(decoding: units[start..<end], as: UTF16.self)
        switch action {
        case .verbatim:
            return (.token(text), end)
        case .replace(let fixed):
            return (.token(fixed), end)
        case .removeSoftHyphens:
            let cleaned = text.replacingAll("\u{00AD}", with: "")
            return (.token(cleaned.isEmpty ? "-" : cleaned), end)
        case .quotes(let left):
            return (.token(PTBNormalization.latexQuotes(text, probablyLeft: left)), end)
        case .ellipsis:
            return (.token("..."), end)
        case .hyphens:
            return (.token((3...4).contains(end - start) ? "--" : text), end)
        case .ampersand:
            return (.token(PTBNormalization.normalizeAmpersand(text)), end)
        case .fractionCharacter:
            return (.token(PTBNormalization.fractionCharacters(text)), end)
        case .currency:
            return (.token(PTBNormalization.currency(text)), end)
        case .spacesToNoBreak:
            return (.token(text.replacingAll(" ", with: "\u{00A0}")), end)
        case .phone:
            return (.token(PTBNormalization.parentheses(text.replacingAll(" ", with: "\u{00A0}"))), end)
        case .smiley:
            return (.token(PTBNormalization.parentheses(text)), end)
        case .splitTail(let count):
            let cut = end - start > count ? end - count : end
            return (.token(String(decoding: units[start..<cut], as: UTF16.self)), cut)
        case .acronymAtSentenceEnd:
            // "I." gives "I" and then "."; "U.S." gives "U.S." and then "." again.
            if end - start == 2 {
                return (.token(String(decoding: units[start..<start + 1], as: UTF16.self)), start + 1)
            }
            return (.token(text), end - 1)
        case .abbreviationWithPeriod:
            return (.token(text), end - 1)
        case .newline:
            return (.newline, end)
        case .skip:
            return (nil, end)
        }
    }
}
