import Foundation
import Generation
import Tokenizer

/// A prompt split at its `<image>` markers (llama.cpp mtmd's shape): text chunks and image slots.
public enum PromptChunk: Equatable, Sendable {
    case text(String)
    /// The i-th image given on the command line.
    case image(Int)
}

/// Why a prompt and its images do not fit together.
public enum PromptError: Error, CustomStringConvertible, Equatable {
    case markerCountMismatch(markers: Int, images: Int)
    case widthMismatch(projector: Int, model: Int, path: String)

    public var description: String {
        switch self {
        case .markerCountMismatch(let m, let i):
            return "the prompt has \(m) <image> marker\(m == 1 ? "" : "s") but \(i) image\(i == 1 ? " was" : "s were") given"
        case .widthMismatch(let p, let m, let path):
            return "\(path): projector makes soft tokens of width \(p) but the language model's n_embd is \(m)"
        }
    }
}

public enum MultimodalPrompt {
    /// The marker that stands for one image's soft tokens.
    public static let marker = "<image>"

    /// Splits `text` at markers; each marker takes the next image in order. Without any marker the
    /// images go before the text, as LiMBeR's default prompt does.
    public static func chunks(_ text: String, imageCount: Int) throws -> [PromptChunk] {
        let pieces = text.components(separatedBy: marker)
        let markers = pieces.count - 1
        if markers == 0 {
            return (0..<imageCount).map { .image($0) } + (text.isEmpty ? [] : [.text(text)])
        }
        guard markers == imageCount else { throw PromptError.markerCountMismatch(markers: markers, images: imageCount) }
        var out: [PromptChunk] = []
        for (i, piece) in pieces.enumerated() {
            if !piece.isEmpty { out.append(.text(piece)) }
            if i < markers { out.append(.image(i)) }
        }
        return out
    }

    /// The decoder input for `chunks`: each text chunk tokenized on its own (as LiMBeR concatenates
    /// separately embedded pieces) and each image replaced by its soft tokens.
    /// - Returns: embeddings (count, width) and, per position, the token id (nil for soft tokens).
    public static func embed(_ chunks: [PromptChunk], tokenizer: BPETokenizer, session: any DecoderSession,
                             imageTokens: (Int) throws -> [Float]) throws -> (embeddings: [Float], ids: [Int32?]) {
        var embeddings: [Float] = []
        var ids: [Int32?] = []
        let width = session.embeddingWidth
        for chunk in chunks {
            switch chunk {
            case .text(let s):
                let t = tokenizer.encode(s)
                embeddings += try session.embed(t)
                ids += t.map { Optional($0) }
            case .image(let i):
                let soft = try imageTokens(i)
                embeddings += soft
                ids += [Int32?](repeating: nil, count: soft.count / max(1, width))
            }
        }
        return (embeddings, ids)
    }
}

