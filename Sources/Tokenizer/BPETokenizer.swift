/// A GPT-2 byte-level BPE tokenizer (as used by GPT-2 and GPT-J), giving the same ids as
/// Hugging Face's `GPT2TokenizerFast` for any text.
///
/// Encoding splits out special tokens, pre-tokenizes the rest with GPT-2's regex (implemented by
/// hand over Unicode scalars), maps each piece's UTF-8 bytes to byte tokens and merges them by rank.
/// The value is immutable and cheap to copy, so it can be shared across tasks.
public struct BPETokenizer: Sendable {
    /// Token strings in id order, as stored (byte-to-unicode mapped, e.g. "Ġthe").
    private let tokens: [String]
    /// Reverse of `tokens`.
    private let idsByToken: [String: Int32]
    /// Raw bytes of all tokens, concatenated in id order; token `i` is `bytes[offsets[i]..<offsets[i+1]]`.
    private let tokenByteStorage: [UInt8]
    private let tokenByteOffsets: [Int]
    /// The token id of each single byte, or -1 if the vocabulary lacks it (such bytes are dropped, as HF does).
    private let byteTokenIDs: [Int32]
    private let merges: MergeTable
    private let specialTokens: SpecialTokenMatcher

    /// Builds a tokenizer from GPT-2-style vocabulary data.
    ///
    /// - Parameters:
    ///   - tokens: Token strings in id order, byte-to-unicode mapped as GPT-2 stores them (the keys
    ///     of `vocab.json` sorted by id, or GGUF's `tokenizer.ggml.tokens`).
    ///   - merges: Merge rules `"left right"` in rank order (highest priority first), without a `#version` line.
    ///     If a pair appears twice the later rank applies, as in HF tokenizers.
    ///   - specialTokens: Strings matched whole in the input before BPE (e.g. `"<|endoftext|>"`);
    ///     each must be one of `tokens`.
    /// - Throws: ``TokenizerError`` for an empty vocabulary, duplicate tokens, malformed merges,
    ///   merges that use or produce tokens missing from the vocabulary, and unknown special tokens.
    public init(tokens: [String], merges: [String], specialTokens: [String]) throws(TokenizerError) {
        guard !tokens.isEmpty else { throw .emptyVocabulary }
        guard tokens.count < Int(Int32.max) else { throw .vocabularyTooLarge(count: tokens.count) }

        var ids: [String: Int32] = [:]
        ids.reserveCapacity(tokens.count)
        for (index, token) in tokens.enumerated() {
            if let earlier = ids.updateValue(Int32(index), forKey: token) {
                throw .duplicateToken(token: token, firstID: Int(earlier), secondID: index)
            }
        }

        var specials: [(bytes: [UInt8], id: Int32)] = []
        for token in specialTokens {
            guard !token.isEmpty else { throw .emptySpecialToken }
            guard let id = ids[token] else { throw .specialTokenNotInVocabulary(token: token) }
            specials.append((Array(token.utf8), id))
        }
        let specialIDs = Set(specials.map(\.id))

        // Special tokens decode to their own text; others reverse the byte-to-unicode mapping,
        // falling back to their UTF-8 when they hold unmapped characters (as HF's decoder does).
        var storage: [UInt8] = []
        storage.reserveCapacity(tokens.count * 8)
        var offsets: [Int] = [0]
        offsets.reserveCapacity(tokens.count + 1)
        for (index, token) in tokens.enumerated() {
            if specialIDs.contains(Int32(index)) {
                storage.append(contentsOf: token.utf8)
            } else if let bytes = ByteLevel.decode(token) {
                storage.append(contentsOf: bytes)
            } else {
                storage.append(contentsOf: token.utf8)
            }
            offsets.append(storage.count)
        }

        self.tokens = tokens
        self.idsByToken = ids
        self.tokenByteStorage = storage
        self.tokenByteOffsets = offsets
        self.byteTokenIDs = ByteLevel.scalarForByte.map { ids[String($0)] ?? -1 }
        self.merges = try Self.buildMerges(merges, ids: ids)
        self.specialTokens = SpecialTokenMatcher(specials)
    }

    /// Parses merge lines into a table keyed by token-id pairs.
    private static func buildMerges(_ lines: [String], ids: [String: Int32]) throws(TokenizerError) -> MergeTable {
        guard lines.count < Int(Int32.max) else { throw .vocabularyTooLarge(count: lines.count) }
        var table = MergeTable(capacity: lines.count)
        for (rank, line) in lines.enumerated() {
            guard let (left, right) = splitMerge(line) else {
                throw .malformedMerge(rank: rank, line: line)
            }
            guard let leftID = ids[left] else {
                throw .mergePartNotInVocabulary(rank: rank, line: line, part: left)
            }
            guard let rightID = ids[right] else {
                throw .mergePartNotInVocabulary(rank: rank, line: line, part: right)
            }
            guard let resultID = ids[left + right] else {
                throw .mergeResultNotInVocabulary(rank: rank, line: line, result: left + right)
            }
            table.insert(left: leftID, right: rightID, rank: Int32(rank), result: resultID)
        }
        return table
    }

    /// Splits a merge line into its two parts, or nil unless it is two non-empty parts around one space.
    /// Splits on scalars, not characters: a space followed by a combining mark is one `Character`.
    static func splitMerge(_ line: String) -> (String, String)? {
        let parts = line.unicodeScalars.split(separator: " ", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { return nil }
        return (String(Substring(parts[0])), String(Substring(parts[1])))
    }

    /// Number of tokens in the vocabulary (ids are `0..<count`).
    public var count: Int { tokens.count }

    /// The id of a token string as stored in the vocabulary (e.g. `"Ġthe"`), or nil if absent.
    public func id(of token: String) -> Int32? {
        idsByToken[token]
    }

    /// The stored token string for an id (byte-to-unicode mapped), or nil if out of range.
    public func token(_ id: Int32) -> String? {
        guard id >= 0, Int(id) < tokens.count else { return nil }
        return tokens[Int(id)]
    }

    /// The raw bytes a token stands for (special tokens give their UTF-8), or nil if `id` is out of range.
    /// A token may hold part of a multi-byte character, so these bytes need not be valid UTF-8.
    public func tokenBytes(_ id: Int32) -> [UInt8]? {
        guard id >= 0, Int(id) < tokens.count else { return nil }
        return Array(tokenByteStorage[tokenByteOffsets[Int(id)]..<tokenByteOffsets[Int(id) + 1]])
    }

    /// Appends the raw bytes of `id` to `bytes`; returns false (appending nothing) if `id` is out of range.
    func appendBytes(of id: Int32, to bytes: inout [UInt8]) -> Bool {
        guard id >= 0, Int(id) < tokens.count else { return false }
        bytes.append(contentsOf: tokenByteStorage[tokenByteOffsets[Int(id)]..<tokenByteOffsets[Int(id) + 1]])
        return true
    }

    /// Encodes text to token ids exactly as HF's `GPT2TokenizerFast` does (no BOS/EOS added).
    public func encode(_ text: String) -> [Int32] {
        let bytes = Array(text.utf8)
        var output: [Int32] = []
        output.reserveCapacity(bytes.count / 3 + 1)
        // Natural text repeats words a lot; a per-call cache avoids re-running BPE on them.
        var cache: [ArraySlice<UInt8>: [Int32]] = [:]
        var pieces: [Range<Int>] = []
        for segment in specialTokens.segments(bytes) {
            switch segment {
            case .special(let id):
                output.append(id)
            case .text(let range):
                pieces.removeAll(keepingCapacity: true)
                PreTokenizer.split(bytes, range, into: &pieces)
                for piece in pieces {
                    let key = bytes[piece]
                    if let known = cache[key] {
                        output.append(contentsOf: known)
                        continue
                    }
                    let merged = encodePiece(key)
                    cache[key] = merged
                    output.append(contentsOf: merged)
                }
            }
        }
        return output
    }

    /// Runs BPE on one pre-tokenized piece.
    private func encodePiece(_ piece: ArraySlice<UInt8>) -> [Int32] {
        var symbols: [Int32] = []
        symbols.reserveCapacity(piece.count)
        for byte in piece {
            let id = byteTokenIDs[Int(byte)]
            if id >= 0 { symbols.append(id) }
        }
        return BPE.merge(symbols, using: merges)
    }

    /// Decodes ids to text as HF does: token bytes are concatenated and invalid UTF-8 becomes U+FFFD.
    /// Ids outside the vocabulary are skipped. Special tokens are kept as their text.
    public func decode(_ ids: [Int32]) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(ids.count * 4)
        for id in ids { _ = appendBytes(of: id, to: &bytes) }
        return String(decoding: bytes, as: UTF8.self)
    }
}
