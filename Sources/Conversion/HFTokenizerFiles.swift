import Foundation
import GGUF
import Tokenizer

/// A GPT-2 style tokenizer as a Hugging Face directory stores it: vocab.json + merges.txt, plus
/// added tokens (added_tokens.json or tokenizer_config.json's added_tokens_decoder) after the vocabulary.
struct HFTokenizerFiles {
    var tokens: [String]
    var merges: [String]
    /// Token types in id order (llama.cpp's: 1 normal, 3 control, 4 user-defined).
    var types: [Int32]

    init(directory dir: String) throws {
        func url(_ name: String) -> URL { URL(fileURLWithPath: (dir as NSString).appendingPathComponent(name)) }
        for name in ["vocab.json", "merges.txt"] where !FileManager.default.fileExists(atPath: url(name).path) {
            throw ConversionError.missingFile(path: url(name).path, what: "the GPT-2 tokenizer needs vocab.json and merges.txt")
        }
        do {
            (tokens, merges) = try BPETokenizer.load(vocabJSON: url("vocab.json"), mergesTXT: url("merges.txt"))
        } catch {
            throw ConversionError.badConfig(path: dir, reason: "\(error)")
        }
        types = [Int32](repeating: GGUFTokenType.normal.rawValue, count: tokens.count)
        var added: [Int: (String, Bool)] = [:]
        let addedPath = url("added_tokens.json").path
        if let data = FileManager.default.contents(atPath: addedPath) {
            guard let obj = (try? JSONSerialization.jsonObject(with: data)) as? [String: Int] else {
                throw ConversionError.badConfig(path: addedPath, reason: "expected a JSON object of token -> id")
            }
            for (token, id) in obj { added[id] = (token, false) }
        }
        let tcPath = url("tokenizer_config.json").path
        if let data = FileManager.default.contents(atPath: tcPath),
           let obj = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any],
           let decoder = obj["added_tokens_decoder"] as? [String: [String: Any]] {
            for (key, entry) in decoder {
                guard let id = Int(key), let content = entry["content"] as? String else { continue }
                added[id] = (content, entry["special"] as? Bool ?? false)
            }
        }
        for (id, (token, special)) in added.sorted(by: { $0.key < $1.key }) {
            if id < tokens.count {
                guard tokens[id] == token else {
                    throw ConversionError.badConfig(path: dir, reason: "added token '\(token)' has id \(id), which vocab.json gives to '\(tokens[id])'")
                }
                if special { types[id] = GGUFTokenType.control.rawValue }
            } else if id == tokens.count {
                tokens.append(token)
                types.append(special ? GGUFTokenType.control.rawValue : GGUFTokenType.userDefined.rawValue)
            } else {
                throw ConversionError.badConfig(path: dir, reason: "added token '\(token)' has id \(id); ids must continue the vocabulary at \(tokens.count)")
            }
        }
        if let eot = tokens.firstIndex(of: BPETokenizer.endOfText) { types[eot] = GGUFTokenType.control.rawValue }
    }

    func addMetadata(to w: GGUFWriter, bos: Int?, eos: Int?) {
        w.set(GGUFKey.tokenizerModel, .string("gpt2"))
        w.set(GGUFKey.tokenizerTokens, .array(.string, tokens.map { .string($0) }))
        w.set(GGUFKey.tokenizerTokenType, .array(.int32, types.map { .int32($0) }))
        w.set(GGUFKey.tokenizerMerges, .array(.string, merges.map { .string($0) }))
        let eot = tokens.firstIndex(of: BPETokenizer.endOfText)
        if let b = bos ?? eot { w.set(GGUFKey.tokenizerBOS, .uint32(UInt32(b))) }
        if let e = eos ?? eot { w.set(GGUFKey.tokenizerEOS, .uint32(UInt32(e))) }
    }
}
