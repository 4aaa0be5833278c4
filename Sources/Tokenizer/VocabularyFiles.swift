import Foundation

extension BPETokenizer {
    /// The special token GPT-2 and GPT-J use to separate documents (id 50256 in their vocabulary).
    public static let endOfText = "<|endoftext|>"

    /// Builds a tokenizer from Hugging Face's `vocab.json` and `merges.txt`.
    ///
    /// - Parameter specialTokens: Strings matched whole before BPE; by default GPT-2's `<|endoftext|>`.
    /// - Throws: ``TokenizerError`` naming the file for unreadable or malformed files, and the
    ///   errors of ``init(tokens:merges:specialTokens:)`` for inconsistent contents.
    public init(vocabJSON: URL, mergesTXT: URL, specialTokens: [String] = [BPETokenizer.endOfText]) throws(TokenizerError) {
        let files = try Self.load(vocabJSON: vocabJSON, mergesTXT: mergesTXT)
        try self.init(tokens: files.tokens, merges: files.merges, specialTokens: specialTokens)
    }

    /// Reads Hugging Face's `vocab.json` (a JSON object token -> id) and `merges.txt`.
    ///
    /// The vocabulary's ids must be exactly `0..<count`. In `merges.txt` a first line starting with
    /// `#version` is skipped, a final empty line is ignored and `\r\n` line ends are accepted.
    /// - Returns: Tokens in id order and merge lines in rank order, ready for ``init(tokens:merges:specialTokens:)``.
    /// - Throws: ``TokenizerError`` naming the file that could not be read or is malformed.
    public static func load(vocabJSON: URL, mergesTXT: URL) throws(TokenizerError) -> (tokens: [String], merges: [String]) {
        (try loadVocabulary(vocabJSON), try loadMerges(mergesTXT))
    }

    /// Reads `vocab.json` into token strings ordered by id.
    static func loadVocabulary(_ url: URL) throws(TokenizerError) -> [String] {
        let path = url.path
        let data = try readFile(url)
        let table: [String: Int]
        do {
            table = try JSONDecoder().decode([String: Int].self, from: data)
        } catch {
            throw .invalidVocabularyJSON(path: path, reason: String(describing: error))
        }
        guard !table.isEmpty else { throw .invalidVocabularyJSON(path: path, reason: "the object is empty") }

        var tokens = [String?](repeating: nil, count: table.count)
        // Sorted so that the reported problem is the same on every run.
        for (token, id) in table.sorted(by: { ($0.value, $0.key) < ($1.value, $1.key) }) {
            guard id >= 0, id < table.count else {
                throw .nonContiguousIDs(path: path, detail: "token \(String(reflecting: token)) has id \(id), outside 0..<\(table.count)")
            }
            if let other = tokens[id] {
                throw .duplicateID(path: path, id: id, tokens: [other, token])
            }
            tokens[id] = token
        }
        // With every id in range and none repeated, all slots are filled; checked anyway.
        var result: [String] = []
        result.reserveCapacity(tokens.count)
        for (id, token) in tokens.enumerated() {
            guard let token else { throw .nonContiguousIDs(path: path, detail: "no token has id \(id)") }
            result.append(token)
        }
        return result
    }

    /// Reads `merges.txt` into merge lines in rank order.
    static func loadMerges(_ url: URL) throws(TokenizerError) -> [String] {
        let path = url.path
        let data = try readFile(url)
        guard let text = String(data: data, encoding: .utf8) else {
            throw .invalidMergesFile(path: path, line: 1, reason: "the file is not valid UTF-8")
        }
        // Split on scalars: as a `Character`, "\r\n" is one grapheme and would not split at "\n".
        var lines = text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false)
        if lines.last?.isEmpty == true { lines.removeLast() }
        var merges: [String] = []
        merges.reserveCapacity(lines.count)
        for (index, rawLine) in lines.enumerated() {
            let scalars = rawLine.last == "\r" ? rawLine.dropLast() : rawLine
            let line = String(Substring(scalars))
            if index == 0 && line.hasPrefix("#version") { continue }
            guard splitMerge(line) != nil else {
                throw .invalidMergesFile(path: path, line: index + 1,
                                         reason: "\(String(reflecting: line)) is not two tokens separated by one space")
            }
            merges.append(line)
        }
        return merges
    }

    private static func readFile(_ url: URL) throws(TokenizerError) -> Data {
        do {
            return try Data(contentsOf: url)
        } catch {
            throw .unreadableFile(path: url.path, reason: error.localizedDescription)
        }
    }
}
