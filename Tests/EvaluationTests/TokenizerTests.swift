@testable import Evaluation
import Testing

@Suite("PTB tokenizer (pycocoevalcap / CoreNLP 3.4.1)")
struct TokenizerTests {
    @Test("every fixture string tokenizes exactly as CoreNLP did")
    func fixtureCasesMatch() throws {
        let cases = try MetricFixtures.decode(TokenizerCases.self, "tokenizer_cases.json").cases
        #expect(cases.count >= 300)
        // One stream, as the reference ran it: some rules look at the next line.
        let tokens = CaptionTokenizer().tokenize(cases.map(\.text))
        #expect(tokens.count == cases.count)
        var mismatches = 0
        for (example, got) in zip(cases, tokens) where !sameBytes(example.tokens, got) {
            mismatches += 1
            Issue.record("\(String(reflecting: example.text)): CoreNLP \(String(reflecting: example.tokens)), got \(String(reflecting: got))")
        }
        #expect(mismatches == 0)
    }

    @Test("known tokenizations", arguments: [
        ("A man's dog.", "a man 's dog"),
        ("I don't know, they're here", "i do n't know they 're here"),
        ("Two  dogs  ", "two dogs"),
        ("It costs $3.50 (about 1,000 yen)", "it costs $ 3.50 -lrb- about 1,000 yen -rrb-"),
        ("a \"big\" x-ray of the U.S. flag", "a big x-ray of the u.s. flag"),
        ("cannot gonna 'twas", "can not gon na 't was"),
        ("e.g. apples & oranges...", "e.g. apples & oranges"),
        ("a/b 24/7 3 1/2", "a/b 24/7 3\u{00A0}1/2"),
        ("caf\u{E9} \u{3A3}\u{39F}\u{3A6}\u{399}\u{391}\u{3A3} \u{1F600}", "caf\u{E9} \u{3C3}\u{3BF}\u{3C6}\u{3B9}\u{3B1}\u{3C2}"),
    ])
    func knownValues(_ text: String, _ expected: String) {
        let got = CaptionTokenizer().tokenize([text])
        #expect(got.count == 1 && sameBytes(got[0], expected), "got \(got)")
    }

    @Test("an abbreviation at a line end reads the next line, as in one CoreNLP run")
    func lookaheadCrossesLines() {
        let tokenizer = CaptionTokenizer()
        // "B." then a line starting "The": the acronym rule gives up its period.
        #expect(tokenizer.tokenize(["Letter B.", "The sign"]) == ["letter b", "the sign"])
        #expect(tokenizer.tokenize(["Letter B.", "the sign"]) == ["letter b.", "the sign"])
    }

    @Test("empty captions and other line breaks keep captions aligned")
    func alignment() {
        let got = CaptionTokenizer().tokenize(["", "a\rb", "c\u{2028}d", "   ", "e\nf"])
        #expect(got == ["", "a b", "c d", "", "e f"])
    }

    @Test("the rule table compiles")
    func rulesCompile() throws {
        _ = try PTBCompiledRules(rules: PTBLexerRules.rules, macros: PTBLexerRules.macros)
    }

    @Test("JFlex semantics: longest match, earliest rule, longest head before trailing context")
    func lexerSemantics() throws {
        let parser = LexPatternParser(macros: ["D": "[0-9]"])
        let dfa = LexDFA(LexNFA([try parser.parse("{D}+"), try parser.parse("[0-9a-z]+"), try parser.parse("abc")]))
        let text = Array("123abc 99".utf16)
        #expect(dfa.longestMatch(in: text, from: 0).map { [$0.end, $0.tag] } == [6, 1])
        #expect(dfa.longestMatch(in: text, from: 7).map { [$0.end, $0.tag] } == [9, 0])
        let caseless = LexDFA(LexNFA([try parser.parse("abc")]))
        #expect(caseless.longestMatch(in: Array("ABC".utf16), from: 0)?.end == 3)
    }
}
