/// A minimal strict JSON parser for checkpoint headers and index files.
///
/// Written here (instead of JSONSerialization) because it keeps object key order (safetensors
/// tensor order), keeps integers exact and distinct from booleans, and bounds nesting depth.
indirect enum CheckpointJSON {
    case object([(key: String, value: CheckpointJSON)])
    case array([CheckpointJSON])
    case string(String)
    /// An integer literal (no fraction or exponent) that fits in Int.
    case integer(Int)
    /// Any other number.
    case number(Double)
    case bool(Bool)
    case null

    /// Parse failure with a short reason (callers add the file name).
    struct ParseError: Error {
        let reason: String
    }

    /// Objects and arrays nested deeper than this are rejected (recursion bound).
    static let maxDepth = 64

    /// Parses one JSON value that must span the whole buffer (surrounding whitespace allowed).
    static func parse(_ bytes: UnsafeRawBufferPointer) throws -> CheckpointJSON {
        var parser = Parser(bytes: bytes)
        parser.skipWhitespace()
        let value = try parser.value(depth: 0)
        parser.skipWhitespace()
        guard parser.pos == bytes.count else { throw parser.fail("trailing characters after JSON value") }
        return value
    }

    /// The members of an object, or nil.
    var objectMembers: [(key: String, value: CheckpointJSON)]? {
        if case .object(let m) = self { return m }
        return nil
    }

    /// The value for `key` in an object (first occurrence), or nil.
    subscript(key: String) -> CheckpointJSON? {
        objectMembers?.first(where: { $0.key == key })?.value
    }

    var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    var intValue: Int? {
        if case .integer(let i) = self { return i }
        return nil
    }

    var arrayValue: [CheckpointJSON]? {
        if case .array(let a) = self { return a }
        return nil
    }

    private struct Parser {
        let bytes: UnsafeRawBufferPointer
        var pos = 0

        func fail(_ reason: String) -> ParseError {
            ParseError(reason: "\(reason) at byte \(pos)")
        }

        mutating func skipWhitespace() {
            while pos < bytes.count {
                switch bytes[pos] {
                case 0x20, 0x09, 0x0A, 0x0D: pos += 1
                default: return
                }
            }
        }

        mutating func expect(_ literal: String) throws {
            let lit = Array(literal.utf8)
            let n = lit.count
            guard pos <= bytes.count - n else { throw fail("unexpected end of JSON") }
            for i in 0..<n where bytes[pos + i] != lit[i] { throw fail("invalid literal") }
            pos += n
        }

        mutating func value(depth: Int) throws -> CheckpointJSON {
            guard depth < CheckpointJSON.maxDepth else { throw fail("JSON nested deeper than \(CheckpointJSON.maxDepth)") }
            guard pos < bytes.count else { throw fail("unexpected end of JSON") }
            switch bytes[pos] {
            case UInt8(ascii: "{"): return try object(depth: depth)
            case UInt8(ascii: "["): return try array(depth: depth)
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "t"): try expect("true"); return .bool(true)
            case UInt8(ascii: "f"): try expect("false"); return .bool(false)
            case UInt8(ascii: "n"): try expect("null"); return .null
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
            default: throw fail("unexpected character")
            }
        }

        mutating func object(depth: Int) throws -> CheckpointJSON {
            pos += 1  // '{'
            var members: [(key: String, value: CheckpointJSON)] = []
            skipWhitespace()
            if pos < bytes.count, bytes[pos] == UInt8(ascii: "}") { pos += 1; return .object(members) }
            while true {
                skipWhitespace()
                guard pos < bytes.count, bytes[pos] == UInt8(ascii: "\"") else { throw fail("expected object key") }
                let key = try string()
                skipWhitespace()
                guard pos < bytes.count, bytes[pos] == UInt8(ascii: ":") else { throw fail("expected ':'") }
                pos += 1
                skipWhitespace()
                members.append((key, try value(depth: depth + 1)))
                skipWhitespace()
                guard pos < bytes.count else { throw fail("unexpected end of JSON") }
                if bytes[pos] == UInt8(ascii: ",") { pos += 1; continue }
                if bytes[pos] == UInt8(ascii: "}") { pos += 1; return .object(members) }
                throw fail("expected ',' or '}'")
            }
        }

        mutating func array(depth: Int) throws -> CheckpointJSON {
            pos += 1  // '['
            var items: [CheckpointJSON] = []
            skipWhitespace()
            if pos < bytes.count, bytes[pos] == UInt8(ascii: "]") { pos += 1; return .array(items) }
            while true {
                skipWhitespace()
                items.append(try value(depth: depth + 1))
                skipWhitespace()
                guard pos < bytes.count else { throw fail("unexpected end of JSON") }
                if bytes[pos] == UInt8(ascii: ",") { pos += 1; continue }
                if bytes[pos] == UInt8(ascii: "]") { pos += 1; return .array(items) }
                throw fail("expected ',' or ']'")
            }
        }

        mutating func hex4() throws -> UInt32 {
            guard pos <= bytes.count - 4 else { throw fail("truncated \\u escape") }
            var v: UInt32 = 0
            for _ in 0..<4 {
                let c = bytes[pos]
                let digit: UInt8
                switch c {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = c - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = c - UInt8(ascii: "a") + 10
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = c - UInt8(ascii: "A") + 10
                default: throw fail("invalid \\u escape")
                }
                v = v << 4 | UInt32(digit)
                pos += 1
            }
            return v
        }

        mutating func string() throws -> String {
            pos += 1  // opening quote
            var utf8: [UInt8] = []
            while true {
                guard pos < bytes.count else { throw fail("unterminated string") }
                let c = bytes[pos]
                pos += 1
                if c == UInt8(ascii: "\"") { break }
                if c < 0x20 { throw fail("control character in string") }
                if c != UInt8(ascii: "\\") { utf8.append(c); continue }
                guard pos < bytes.count else { throw fail("unterminated string") }
                let e = bytes[pos]
                pos += 1
                switch e {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): utf8.append(e)
                case UInt8(ascii: "b"): utf8.append(0x08)
                case UInt8(ascii: "f"): utf8.append(0x0C)
                case UInt8(ascii: "n"): utf8.append(0x0A)
                case UInt8(ascii: "r"): utf8.append(0x0D)
                case UInt8(ascii: "t"): utf8.append(0x09)
                case UInt8(ascii: "u"):
                    var code = try hex4()
                    if (0xD800..<0xDC00).contains(code) {
                        // High surrogate: a low surrogate escape must follow.
                        try expect("\\u")
                        let low = try hex4()
                        guard (0xDC00..<0xE000).contains(low) else { throw fail("unpaired surrogate") }
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    } else if (0xDC00..<0xE000).contains(code) {
                        throw fail("unpaired surrogate")
                    }
                    guard let scalar = Unicode.Scalar(code) else { throw fail("invalid code point") }
                    utf8.append(contentsOf: Array(String(Character(scalar)).utf8))
                default: throw fail("invalid escape")
                }
            }
            guard let s = String(validating: utf8, as: UTF8.self) else { throw fail("string is not valid UTF-8") }
            return s
        }

        mutating func number() throws -> CheckpointJSON {
            let start = pos
            var integral = true
            if bytes[pos] == UInt8(ascii: "-") { pos += 1 }
            func digits(_ p: inout Int) -> Int {
                let s = p
                while p < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[p]) { p += 1 }
                return p - s
            }
            let intStart = pos
            let intDigits = digits(&pos)
            guard intDigits > 0 else { throw fail("invalid number") }
            if intDigits > 1, bytes[intStart] == UInt8(ascii: "0") { throw fail("leading zero in number") }
            if pos < bytes.count, bytes[pos] == UInt8(ascii: ".") {
                integral = false
                pos += 1
                guard digits(&pos) > 0 else { throw fail("invalid number") }
            }
            if pos < bytes.count, bytes[pos] == UInt8(ascii: "e") || bytes[pos] == UInt8(ascii: "E") {
                integral = false
                pos += 1
                if pos < bytes.count, bytes[pos] == UInt8(ascii: "+") || bytes[pos] == UInt8(ascii: "-") { pos += 1 }
                guard digits(&pos) > 0 else { throw fail("invalid number") }
            }
            let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<pos]), as: UTF8.self)
            if integral, let i = Int(text) { return .integer(i) }
            guard let d = Double(text) else { throw fail("invalid number") }
            return .number(d)
        }
    }
}
