// String operations at the level of Unicode scalars, as Java and Python compare text (code points,
// not the grapheme clusters Swift's own `contains` and `replacing` use).

extension String {
    /// Replaces every occurrence of `target`, comparing Unicode scalars (as Java's `String.replace`
    /// compares chars), so a combining mark after a quote does not hide it.
    func replacingAll(_ target: String, with replacement: String) -> String {
        let needle = Array(target.unicodeScalars)
        let haystack = Array(unicodeScalars)
        guard !needle.isEmpty, haystack.count >= needle.count else { return self }
        var result = String.UnicodeScalarView()
        var index = 0
        while index < haystack.count {
            if index + needle.count <= haystack.count, haystack[index..<index + needle.count].elementsEqual(needle) {
                result.append(contentsOf: replacement.unicodeScalars)
                index += needle.count
            } else {
                result.append(haystack[index])
                index += 1
            }
        }
        return String(result)
    }

    /// Whether `needle` occurs, comparing Unicode scalars (Python's `in`), not grapheme clusters.
    func containsScalars(_ needle: String) -> Bool {
        let target = Array(needle.unicodeScalars)
        let scalars = Array(unicodeScalars)
        guard !target.isEmpty else { return true }
        guard scalars.count >= target.count else { return false }
        for start in 0...(scalars.count - target.count) where scalars[start..<start + target.count].elementsEqual(target) {
            return true
        }
        return false
    }
}
