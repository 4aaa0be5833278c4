// A small regular-expression language in the notation of JFlex specifications, so that
// PTBLexerRules.swift can state CoreNLP's token classes the way PTBLexer.flex does.
// It works on UTF-16 code units because the JFlex scanner CoreNLP 3.4.1 ships reads Java
// `char`s: a character outside the BMP is two units, neither of which is a letter.

/// A set of UTF-16 code units: explicit ranges plus Java character categories, possibly negated.
struct CodeUnitClass: Sendable {
    var ranges: [ClosedRange<UInt16>] = []
    /// Bits of ``CodeUnitCategory``: a unit is in the class if it has any of them.
    var categories: UInt8 = 0
    var negated = false

    func contains(_ unit: UInt16) -> Bool {
        var hit = categories != 0 && (CodeUnitCategory.table[Int(unit)] & categories) != 0
        if !hit {
            for range in ranges where range.contains(unit) {
                hit = true
                break
            }
        }
        return hit != negated
    }
}

/// Java's `Character.isLetter` / `isDigit` / `isUpperCase` for one UTF-16 unit, as JFlex's
/// `[:letter:]`, `[:digit:]` and `[:uppercase:]` use them. Surrogates belong to no category.
enum CodeUnitCategory {
    static let letter: UInt8 = 1
    static let digit: UInt8 = 2
    static let uppercase: UInt8 = 4
    static let lowercase: UInt8 = 8

    static let table: [UInt8] = {
        var table = [UInt8](repeating: 0, count: 65_536)
        for unit in 0..<65_536 {
            guard let scalar = Unicode.Scalar(UInt32(unit)) else { continue }
            switch scalar.properties.generalCategory {
            case .uppercaseLetter: table[unit] = letter | uppercase
            case .lowercaseLetter: table[unit] = letter | lowercase
            case .titlecaseLetter, .modifierLetter, .otherLetter: table[unit] = letter
            case .decimalNumber: table[unit] = digit
            default: break
            }
        }
        return table
    }()
}

/// A parsed pattern. Literal characters are already widened to classes (the scanner is caseless).
indirect enum LexPattern: Sendable {
    case unit(CodeUnitClass)
    case sequence([LexPattern])
    case choice([LexPattern])
    case star(LexPattern)
    case plus(LexPattern)
    case optional(LexPattern)
    case bounded(LexPattern, min: Int, max: Int)
}

/// A fault in a pattern string; these are programming errors in the rule table, caught by tests.
struct LexPatternError: Error, CustomStringConvertible {
    let pattern: String
    let message: String
    var description: String { "bad lexer pattern \(pattern): \(message)" }
}

/// Parses JFlex-style patterns: `|`, `()`, `* + ?`, `{n}` / `{n,m}`, `[...]` classes with ranges,
/// `^` negation and `[:letter:]`-style categories, `{MACRO}` references, `\` escapes, `"..."`,
/// and `.` (any unit but `\n`). Letters outside classes match both cases, as under `%caseless`.
struct LexPatternParser {
    let macros: [String: String]

    func parse(_ text: String) throws -> LexPattern {
        var cursor = Cursor(units: Array(text.unicodeScalars), text: text)
        let pattern = try parseChoice(&cursor)
        guard cursor.atEnd else { throw cursor.error("unexpected \(String(cursor.peek()!))") }
        return pattern
    }

    private struct Cursor {
        let units: [Unicode.Scalar]
        let text: String
        var index = 0
        var atEnd: Bool { index >= units.count }
        func peek(_ offset: Int = 0) -> Unicode.Scalar? {
            index + offset < units.count ? units[index + offset] : nil
        }
        mutating func next() -> Unicode.Scalar? {
            defer { index += 1 }
            return peek()
        }
        func error(_ message: String) -> LexPatternError {
            LexPatternError(pattern: text, message: "\(message) at \(index)")
        }
    }

    private func parseChoice(_ c: inout Cursor) throws -> LexPattern {
        var options = [try parseSequence(&c)]
        while c.peek() == "|" {
            _ = c.next()
            options.append(try parseSequence(&c))
        }
        return options.count == 1 ? options[0] : .choice(options)
    }

    private func parseSequence(_ c: inout Cursor) throws -> LexPattern {
        var items: [LexPattern] = []
        while let ch = c.peek(), ch != "|", ch != ")" {
            var atom = try parseAtom(&c)
            postfix: while let op = c.peek() {
                switch op {
                case "*": _ = c.next(); atom = .star(atom)
                case "+": _ = c.next(); atom = .plus(atom)
                case "?": _ = c.next(); atom = .optional(atom)
                case "{" where c.peek(1).map(isDigit) ?? false:
                    let (low, high) = try parseBounds(&c)
                    atom = .bounded(atom, min: low, max: high)
                default: break postfix
                }
            }
            items.append(atom)
        }
        return items.count == 1 ? items[0] : .sequence(items)
    }

    private func parseBounds(_ c: inout Cursor) throws -> (Int, Int) {
        _ = c.next()  // {
        var numbers: [Int] = [0]
        while let ch = c.next(), ch != "}" {
            if ch == "," {
                numbers.append(0)
            } else if let digit = Int(String(ch)) {
                numbers[numbers.count - 1] = numbers[numbers.count - 1] * 10 + digit
            } else {
                throw c.error("bad repetition bound")
            }
        }
        return (numbers[0], numbers.count > 1 ? numbers[1] : numbers[0])
    }

    private func parseAtom(_ c: inout Cursor) throws -> LexPattern {
        guard let ch = c.next() else { throw c.error("pattern ends early") }
        switch ch {
        case "(":
            let inner = try parseChoice(&c)
            guard c.next() == ")" else { throw c.error("missing )") }
            return inner
        case "[":
            if isCategoryStart(c, at: -1) {
                c.index -= 1
                return .unit(try parseCategory(&c))
            }
            return .unit(try parseClass(&c))
        case "{":
            var name = ""
            while let n = c.next(), n != "}" { name.unicodeScalars.append(n) }
            guard let body = macros[name] else { throw c.error("unknown macro \(name)") }
            return try parse(body)
        case "\"":
            var items: [LexPattern] = []
            while let n = c.next(), n != "\"" {
                let unit = n == "\\" ? try escaped(&c) : n
                items.append(.unit(caseless(unit)))
            }
            return .sequence(items)
        case ".":
            return .unit(CodeUnitClass(ranges: [10...10], negated: true))
        case "\\":
            return .unit(caseless(try escaped(&c)))
        default:
            return .unit(caseless(ch))
        }
    }

    /// `[:letter:]`, `[:digit:]`, `[:uppercase:]`, `[:lowercase:]`; the cursor is on the `[`.
    private func parseCategory(_ c: inout Cursor) throws -> CodeUnitClass {
        var name = ""
        _ = c.next(); _ = c.next()  // [:
        while let n = c.next(), n != ":" { name.unicodeScalars.append(n) }
        guard c.next() == "]" else { throw c.error("bad category") }
        switch name {
        case "letter": return CodeUnitClass(categories: CodeUnitCategory.letter)
        case "digit": return CodeUnitClass(categories: CodeUnitCategory.digit)
        case "uppercase": return CodeUnitClass(categories: CodeUnitCategory.uppercase)
        case "lowercase": return CodeUnitClass(categories: CodeUnitCategory.lowercase)
        default: throw c.error("unknown category \(name)")
        }
    }

    /// A bracketed class; the cursor is just past `[`. `[^]` is every unit, newline included.
    private func parseClass(_ c: inout Cursor) throws -> CodeUnitClass {
        var result = CodeUnitClass()
        if c.peek() == "^" {
            _ = c.next()
            result.negated = true
        }
        while let ch = c.peek(), ch != "]" {
            if isCategoryStart(c, at: 0) {
                result.categories |= try parseCategory(&c).categories
                continue
            }
            _ = c.next()
            let low = ch == "\\" ? try escaped(&c) : ch
            if c.peek() == "-", let after = c.peek(1), after != "]" {
                _ = c.next()
                _ = c.next()
                let high = after == "\\" ? try escaped(&c) : after
                try appendRange(low, high, to: &result, c)
            } else {
                try appendRange(low, low, to: &result, c)
            }
        }
        guard c.next() == "]" else { throw c.error("missing ]") }
        return result
    }

    private func appendRange(_ low: Unicode.Scalar, _ high: Unicode.Scalar, to cls: inout CodeUnitClass, _ c: Cursor) throws {
        guard low.value <= high.value, high.value <= 0xFFFF else { throw c.error("bad range") }
        cls.ranges.append(UInt16(low.value)...UInt16(high.value))
    }

    private func escaped(_ c: inout Cursor) throws -> Unicode.Scalar {
        guard let ch = c.next() else { throw c.error("dangling escape") }
        switch ch {
        case "n": return "\n"
        case "r": return "\r"
        case "t": return "\t"
        case "f": return "\u{0C}"
        case "u":
            var hex = ""
            for _ in 0..<4 { if let h = c.next() { hex.unicodeScalars.append(h) } }
            guard let value = UInt32(hex, radix: 16), let scalar = Unicode.Scalar(value) else {
                throw c.error("bad \\u escape")
            }
            return scalar
        default: return ch
        }
    }

    /// A literal matches every unit with the same upper- or lowercase form (JFlex `%caseless`), so
    /// `i` also matches `I` and dotless `ı`, `k` also the Kelvin sign.
    private func caseless(_ ch: Unicode.Scalar) -> CodeUnitClass {
        var units: Set<UInt16> = [UInt16(truncatingIfNeeded: ch.value)]
        if let upper = CaseFolding.upper[ch.value] { units.formUnion(CaseFolding.byUpper[upper] ?? []) }
        if let lower = CaseFolding.lower[ch.value] { units.formUnion(CaseFolding.byLower[lower] ?? []) }
        return CodeUnitClass(ranges: units.sorted().map { $0...$0 })
    }

    /// Whether `[:name:]` starts at the cursor plus `offset` (so `[:;=]` stays an ordinary class).
    private func isCategoryStart(_ c: Cursor, at offset: Int) -> Bool {
        guard c.peek(offset) == "[", c.peek(offset + 1) == ":" else { return false }
        var index = offset + 2
        while let ch = c.peek(index), ch.properties.isLowercase { index += 1 }
        return index > offset + 2 && c.peek(index) == ":" && c.peek(index + 1) == "]"
    }

    private func isDigit(_ ch: Unicode.Scalar) -> Bool { ch.value >= 48 && ch.value <= 57 }
}

/// Simple (one-to-one) case mappings of the BMP, grouped so caseless literals find all their forms.
private enum CaseFolding {
    static let (upper, lower, byUpper, byLower): ([UInt32: UInt32], [UInt32: UInt32], [UInt32: [UInt16]], [UInt32: [UInt16]]) = {
        var upper: [UInt32: UInt32] = [:], lower: [UInt32: UInt32] = [:]
        var byUpper: [UInt32: [UInt16]] = [:], byLower: [UInt32: [UInt16]] = [:]
        for value in UInt32(0)..<0x10000 {
            guard let scalar = Unicode.Scalar(value) else { continue }
            let up = simple(scalar.properties.uppercaseMapping) ?? value
            let low = simple(scalar.properties.lowercaseMapping) ?? value
            upper[value] = up
            lower[value] = low
            byUpper[up, default: []].append(UInt16(value))
            byLower[low, default: []].append(UInt16(value))
        }
        return (upper, lower, byUpper, byLower)
    }()

    private static func simple(_ mapping: String) -> UInt32? {
        let scalars = mapping.unicodeScalars
        return scalars.count == 1 ? scalars.first.map { $0.value } : nil
    }
}
