// Answer normalization of the official VQA evaluation (vqaEval.py in GT-Vision-Lab/VQA, as
// vendored by LAVIS): processPunctuation and processDigitArticle, including their quirks.

/// The official VQA answer normalization, step by step.
public enum VQANormalization {
    /// Punctuation the official code deletes or turns into a space, in its order.
    static let punctuation: [String] = [
        ";", "/", "[", "]", "\"", "{", "}", "(", ")", "=", "+", "\\", "_", "-", ">", "<", "@", "`", ",", "?", "!",
    ]
    static let numberWords: [String: String] = [
        "none": "0", "zero": "0", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5",
        "six": "6", "seven": "7", "eight": "8", "nine": "9", "ten": "10",
    ]
    static let articles: Set<String> = ["a", "an", "the"]
    /// Apostrophe-less spellings mapped to the contracted form (the table of vqaEval.py).
    static let contractions: [String: String] = [
        "aint": "ain't", "arent": "aren't", "cant": "can't", "couldve": "could've", "couldnt": "couldn't",
        "couldn'tve": "couldn't've", "couldnt've": "couldn't've", "didnt": "didn't", "doesnt": "doesn't",
        "dont": "don't", "hadnt": "hadn't", "hadnt've": "hadn't've", "hadn'tve": "hadn't've", "hasnt": "hasn't",
        "havent": "haven't", "hed": "he'd", "hed've": "he'd've", "he'dve": "he'd've", "hes": "he's", "howd": "how'd",
        "howll": "how'll", "hows": "how's", "Id've": "I'd've", "I'dve": "I'd've", "Im": "I'm", "Ive": "I've",
        "isnt": "isn't", "itd": "it'd", "itd've": "it'd've", "it'dve": "it'd've", "itll": "it'll", "let's": "let's",
        "maam": "ma'am", "mightnt": "mightn't", "mightnt've": "mightn't've", "mightn'tve": "mightn't've",
        "mightve": "might've", "mustnt": "mustn't", "mustve": "must've", "neednt": "needn't", "notve": "not've",
        "oclock": "o'clock", "oughtnt": "oughtn't", "ow's'at": "'ow's'at", "'ows'at": "'ow's'at",
        "'ow'sat": "'ow's'at", "shant": "shan't", "shed've": "she'd've", "she'dve": "she'd've", "she's": "she's",
        "shouldve": "should've", "shouldnt": "shouldn't", "shouldnt've": "shouldn't've",
        "shouldn'tve": "shouldn't've", "somebody'd": "somebodyd", "somebodyd've": "somebody'd've",
        "somebody'dve": "somebody'd've", "somebodyll": "somebody'll", "somebodys": "somebody's",
        "someoned": "someone'd", "someoned've": "someone'd've", "someone'dve": "someone'd've",
        "someonell": "someone'll", "someones": "someone's", "somethingd": "something'd",
        "somethingd've": "something'd've", "something'dve": "something'd've", "somethingll": "something'll",
        "thats": "that's", "thered": "there'd", "thered've": "there'd've", "there'dve": "there'd've",
        "therere": "there're", "theres": "there's", "theyd": "they'd", "theyd've": "they'd've",
        "they'dve": "they'd've", "theyll": "they'll", "theyre": "they're", "theyve": "they've", "twas": "'twas",
        "wasnt": "wasn't", "wed've": "we'd've", "we'dve": "we'd've", "weve": "we've", "werent": "weren't",
        "whatll": "what'll", "whatre": "what're", "whats": "what's", "whatve": "what've", "whens": "when's",
        "whered": "where'd", "wheres": "where's", "whereve": "where've", "whod": "who'd", "whod've": "who'd've",
        "who'dve": "who'd've", "wholl": "who'll", "whos": "who's", "whove": "who've", "whyll": "why'll",
        "whyre": "why're", "whys": "why's", "wont": "won't", "wouldve": "would've", "wouldnt": "wouldn't",
        "wouldnt've": "wouldn't've", "wouldn'tve": "wouldn't've", "yall": "y'all", "yall'll": "y'all'll",
        "y'allll": "y'all'll", "yall'd've": "y'all'd've", "y'alld've": "y'all'd've", "y'all'dve": "y'all'd've",
        "youd": "you'd", "youd've": "you'd've", "you'dve": "you'd've", "youll": "you'll", "youre": "you're",
        "youve": "you've",
    ]

    /// What the official code does to a predicted answer: newlines and tabs to spaces, strip,
    /// ``processPunctuation(_:)``, then ``processDigitArticle(_:)``.
    public static func normalizePrediction(_ answer: String) -> String {
        let flat = answer.replacingAll("\n", with: " ").replacingAll("\t", with: " ")
        return processDigitArticle(processPunctuation(PythonText.strip(flat)))
    }

    /// `processPunctuation`: each listed mark is deleted if it touches a space anywhere in the
    /// input (or the input has a digit-comma-digit), otherwise replaced by a space; then up to 32
    /// periods not followed by a digit are deleted (`re.UNICODE` lands in `sub`'s count argument).
    public static func processPunctuation(_ text: String) -> String {
        let deleteAll = hasDigitCommaDigit(text)
        var out = text
        for mark in punctuation {
            let touchesSpace = text.containsScalars(mark + " ") || text.containsScalars(" " + mark)
            out = out.replacingAll(mark, with: deleteAll || touchesSpace ? "" : " ")
        }
        return stripPeriods(out, limit: 32)
    }

    /// `processDigitArticle`: lowercase, split on whitespace, number words to digits, drop
    /// articles, restore contractions, join with single spaces.
    public static func processDigitArticle(_ text: String) -> String {
        var words: [String] = []
        for word in PythonText.splitWhitespace(UnicodeCase.lowercase(text)) {
            let mapped = numberWords[word] ?? word
            if !articles.contains(mapped) { words.append(mapped) }
        }
        return words.map { contractions[$0] ?? $0 }.joined(separator: " ")
    }

    /// `re.search(r"(\d)(\,)(\d)", text)` with Python 3's Unicode `\d`.
    private static func hasDigitCommaDigit(_ text: String) -> Bool {
        let scalars = Array(text.unicodeScalars)
        guard scalars.count >= 3 else { return false }
        for i in 1..<(scalars.count - 1) where scalars[i] == "," {
            if isDecimalDigit(scalars[i - 1]) && isDecimalDigit(scalars[i + 1]) { return true }
        }
        return false
    }

    /// `re.sub(r"(?!<=\d)(\.)(?!\d)", "", text, 32)`: the `(?!<=\d)` is a lookahead that never
    /// fires at a period, so this deletes the first `limit` periods not followed by a digit.
    private static func stripPeriods(_ text: String, limit: Int) -> String {
        let scalars = Array(text.unicodeScalars)
        var out = String.UnicodeScalarView()
        var removed = 0
        for (i, scalar) in scalars.enumerated() {
            if scalar == ".", removed < limit, !(i + 1 < scalars.count && isDecimalDigit(scalars[i + 1])) {
                removed += 1
                continue
            }
            out.append(scalar)
        }
        return String(out)
    }

    private static func isDecimalDigit(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.generalCategory == .decimalNumber
    }
}
