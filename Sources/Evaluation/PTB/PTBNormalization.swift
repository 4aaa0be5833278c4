// Token rewrites performed by CoreNLP 3.4.1's PTBLexer actions (latexQuotes, normalizeAmp,
// normalizeFractions, normalizeCurrency, parenthesis escaping), with the same character sets.

enum PTBNormalization {
    /// LaTeX-style quotes: straight quotes by the guessed side, curly and CP1252 quotes by their shape.
    static func latexQuotes(_ text: String, probablyLeft: Bool) -> String {
        var out = text
        if probablyLeft {
            out = out.replacingAll("&apos;", with: "`").replacingAll("'", with: "`")
            out = out.replacingAll("\"", with: "``").replacingAll("&quot;", with: "``")
        } else {
            out = out.replacingAll("&apos;", with: "'")
            out = out.replacingAll("\"", with: "''").replacingAll("&quot;", with: "''")
        }
        return mapScalars(out) { scalar in
            switch scalar.value {
            case 0x91, 0x2018, 0x201B, 0x2039: return "`"
            case 0x92, 0x2019, 0x203A: return "'"
            case 0x93, 0x201C, 0xAB: return "``"
            case 0x94, 0x201D, 0xBB: return "''"
            default: return nil
            }
        }
    }

    /// `&amp;` in any letter case becomes `&`.
    static func normalizeAmpersand(_ text: String) -> String {
        var scalars = Array(text.unicodeScalars)
        var index = 0
        while index + 5 <= scalars.count {
            let window = String(String.UnicodeScalarView(scalars[index..<index + 5]))
            if window.lowercased() == "&amp;" {
                scalars.replaceSubrange(index..<index + 5, with: ["&"])
            }
            index += 1
        }
        return String(String.UnicodeScalarView(scalars))
    }

    static func fractionCharacters(_ text: String) -> String {
        mapScalars(text) { scalar in
            switch scalar.value {
            case 0xBC: return "1/4"
            case 0xBD: return "1/2"
            case 0xBE: return "3/4"
            case 0x2153: return "1/3"
            case 0x2154: return "2/3"
            default: return nil
            }
        }
    }

    static func currency(_ text: String) -> String {
        mapScalars(text) { scalar in
            switch scalar.value {
            case 0xA2: return "cents"
            case 0xA3: return "#"
            case 0x80, 0xA4, 0x20A0, 0x20AC: return "$"
            default: return nil
            }
        }
    }

    static func parentheses(_ text: String) -> String {
        text.replacingAll("(", with: "-LRB-").replacingAll(")", with: "-RRB-")
    }

    private static func mapScalars(_ text: String, _ map: (Unicode.Scalar) -> String?) -> String {
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if let replacement = map(scalar) {
                out.append(contentsOf: replacement.unicodeScalars)
            } else {
                out.append(scalar)
            }
        }
        return String(out)
    }
}

enum UnicodeCase {
    /// Which final-sigma rule to apply: Unicode's (Python's `str.lower()`) or the JDK's, which
    /// decides with its word BreakIterator (Java's `toLowerCase`, as CoreNLP's tokenizer calls it).
    enum SigmaRule { case unicode, java }

    /// Full Unicode lowercasing, including the final-sigma rule (Σ at the end of a word becomes ς)
    /// that Swift's `lowercased()` does not apply.
    static func lowercase(_ text: String, sigma: SigmaRule = .unicode) -> String {
        guard text.unicodeScalars.contains("\u{03A3}") else { return text.lowercased() }
        let scalars = Array(text.unicodeScalars)
        var out = String.UnicodeScalarView()
        for (index, scalar) in scalars.enumerated() {
            if scalar == "\u{03A3}" {
                let final = sigma == .unicode ? isFinalSigma(scalars, at: index) : isJavaFinalSigma(scalars, at: index)
                out.append(final ? "\u{03C2}" : "\u{03C3}")
            } else {
                out.append(contentsOf: String(scalar).lowercased().unicodeScalars)
            }
        }
        return String(out)
    }

    /// Unicode's Final_Sigma condition: a cased letter before (skipping case-ignorables) and none after.
    private static func isFinalSigma(_ scalars: [Unicode.Scalar], at index: Int) -> Bool {
        var before = index - 1
        while before >= 0, scalars[before].properties.isCaseIgnorable { before -= 1 }
        guard before >= 0, scalars[before].properties.isCased else { return false }
        var after = index + 1
        while after < scalars.count, scalars[after].properties.isCaseIgnorable { after += 1 }
        return !(after < scalars.count && scalars[after].properties.isCased)
    }

    /// The JDK's rule: a cased letter earlier in the same word and none later in it. Words are
    /// approximated as the JDK's BreakIterator forms them: letters, marks and numbers, joined by a
    /// single mid-word mark between letters (dashes, `_` `.` `'` `"`, soft hyphen) or a single
    /// `.` `,` `'` `"` between digits.
    private static func isJavaFinalSigma(_ scalars: [Unicode.Scalar], at index: Int) -> Bool {
        func kind(_ i: Int) -> Character {
            guard i >= 0, i < scalars.count else { return " " }
            let scalar = scalars[i]
            if "_.'\"\u{00AD}\u{2027}".unicodeScalars.contains(scalar) {
                return ".,'\"".unicodeScalars.contains(scalar) ? "B" : "M"  // B: mid-letter and mid-number
            }
            switch scalar.properties.generalCategory {
            case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
                 .nonspacingMark, .spacingMark, .enclosingMark, .format:
                return "L"
            case .decimalNumber, .letterNumber, .otherNumber:
                return "N"
            case .dashPunctuation:
                return "M"
            default:
                return scalar == "," ? "n" : " "
            }
        }
        /// Whether position `i`, a joiner, sits inside a word given its neighbours.
        func joins(_ i: Int) -> Bool {
            let (left, right) = (kind(i - 1), kind(i + 1))
            switch kind(i) {
            case "M": return left == "L" && right == "L"
            case "B": return (left == "L" && right == "L") || (left == "N" && right == "N")
            case "n": return left == "N" && right == "N"
            default: return false
            }
        }
        func inWord(_ i: Int) -> Bool { "LN".contains(kind(i)) || joins(i) }
        var before = index - 1
        var casedBefore = false
        while before >= 0, inWord(before) {
            if scalars[before].properties.isCased { casedBefore = true; break }
            before -= 1
        }
        guard casedBefore else { return false }
        var after = index + 1
        while after < scalars.count, inWord(after) {
            if scalars[after].properties.isCased { return false }
            after += 1
        }
        return true
    }
}
