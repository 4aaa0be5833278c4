// Small pieces of Python and NumPy behaviour that the reference scorers depend on. Reproducing
// them (rather than "equivalent" Swift) is what lets scores agree to the last bits.

enum PythonText {
    /// Python's `str.split()` with no argument: runs of Unicode whitespace separate words.
    static func splitWhitespace(_ text: String) -> [String] {
        var words: [String] = []
        var current = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if isWhitespace(scalar) {
                if !current.isEmpty {
                    words.append(String(current))
                    current = String.UnicodeScalarView()
                }
            } else {
                current.append(scalar)
            }
        }
        if !current.isEmpty { words.append(String(current)) }
        return words
    }

    /// Python's `str.split(" ")`: every single space separates, so empty strings can appear.
    static func splitSpaces(_ text: String) -> [String] {
        text.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
    }

    /// Python's `str.strip()` / `rstrip()` with no argument.
    static func strip(_ text: String, leading: Bool = true) -> String {
        var scalars = Array(text.unicodeScalars)
        while let last = scalars.last, isWhitespace(last) { scalars.removeLast() }
        if leading {
            let start = scalars.firstIndex { !isWhitespace($0) } ?? scalars.count
            scalars.removeFirst(start)
        }
        return String(String.UnicodeScalarView(scalars))
    }

    /// `str.isspace()` for one character: the bidirectional classes WS, B, S plus category Zs.
    static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09...0x0D, 0x1C...0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000:
            return true
        default:
            return false
        }
    }
}

enum NumPy {
    /// `np.mean` of a float64 vector: NumPy's pairwise summation (blocks of 128, unrolled by 8),
    /// then one division. A plain left-to-right sum differs in the last bits.
    static func mean(_ values: [Double]) -> Double {
        guard !values.isEmpty else { return .nan }
        return pairwiseSum(values[...]) / Double(values.count)
    }

    static func pairwiseSum(_ a: ArraySlice<Double>) -> Double {
        let n = a.count
        let base = a.startIndex
        if n < 8 {
            var sum = 0.0
            for value in a { sum += value }
            return sum
        }
        if n <= 128 {
            var r = Array(a[base..<base + 8])
            var i = 8
            while i < n - n % 8 {
                for j in 0..<8 { r[j] += a[base + i + j] }
                i += 8
            }
            var sum = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
            while i < n {
                sum += a[base + i]
                i += 1
            }
            return sum
        }
        var half = n / 2
        half -= half % 8
        return pairwiseSum(a[base..<base + half]) + pairwiseSum(a[(base + half)...])
    }
}

/// Gives each distinct token a small integer, comparing tokens by their UTF-8 bytes: Python
/// compares strings by code points, while Swift's `==` would merge canonically equivalent
/// spellings ("é" and "e\u{301}") into one n-gram.
final class TokenInterner {
    private var ids: [[UInt8]: Int] = [:]

    func id(_ token: String) -> Int {
        let key = Array(token.utf8)
        if let id = ids[key] { return id }
        let id = ids.count
        ids[key] = id
        return id
    }

    /// Python's `str.split()` of a tokenized caption, as ids.
    func words(_ caption: String) -> [Int] { PythonText.splitWhitespace(caption).map(id) }
}

/// n-gram counts in the order Python's dict would hold them (first occurrence, by length, then
/// position), which fixes the summation order of CIDEr's dot products.
struct NGramCounts {
    /// Distinct n-grams of each length 1...n, in first-occurrence order.
    private(set) var order: [[[Int]]]
    private(set) var counts: [[Int]: Int] = [:]

    init(words: [Int], maxN: Int) {
        order = Array(repeating: [], count: maxN)
        for k in 1...maxN where words.count >= k {
            for start in 0...(words.count - k) {
                let gram = Array(words[start..<start + k])
                if let count = counts[gram] {
                    counts[gram] = count + 1
                } else {
                    counts[gram] = 1
                    order[k - 1].append(gram)
                }
            }
        }
    }
}
