/// The four character classes that GPT-2's pre-tokenizer regex distinguishes.
///
/// The regex only asks whether a scalar is `\s` (Unicode White_Space), `\p{L}` (a letter),
/// `\p{N}` (a number) or none of these; everything else, including combining marks (`\p{M}`),
/// symbols and punctuation, is `other`.
enum ScalarClass: UInt8, Sendable {
    case letter
    case number
    case whitespace
    case other

    /// Classes of the 128 ASCII scalars, precomputed because ASCII dominates most text.
    private static let asciiTable: [ScalarClass] = (0..<128).map { classify(Unicode.Scalar(UInt8($0))) }

    /// The class of a scalar value (any UInt32; values that are not scalars count as `other`).
    static func of(_ value: UInt32) -> ScalarClass {
        if value < 128 { return asciiTable[Int(value)] }
        guard let scalar = Unicode.Scalar(value) else { return .other }
        return classify(scalar)
    }

    /// The newest Unicode version whose letters and numbers HF's regex engine (Oniguruma, as built
    /// into `tokenizers` 0.23) knows. Scalars assigned later are unassigned (`other`) to it.
    private static let newestKnownUnicodeMajor = 16

    /// Classifies from the standard library's Unicode tables. Checked exhaustively over
    /// U+0000...U+10FFFF against `tokenizers` 0.23: the only differences were scalars first
    /// assigned in Unicode 17 (which Swift 6.3 knows), hence the age cut-off.
    private static func classify(_ scalar: Unicode.Scalar) -> ScalarClass {
        let properties = scalar.properties
        if properties.isWhitespace { return .whitespace }
        let result: ScalarClass
        switch properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter:
            result = .letter
        case .decimalNumber, .letterNumber, .otherNumber:
            result = .number
        default:
            return .other
        }
        if let age = properties.age, age.major > newestKnownUnicodeMajor { return .other }
        return result
    }
}
