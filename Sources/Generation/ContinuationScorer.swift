import TensorCore

/// Teacher-forced log-probabilities of continuations after a shared prefix. The prefix is run once; each
/// continuation truncates the cache back to it and runs only its own tokens (multiple choice, re-ranking).
public final class ContinuationScorer {
    public let session: any DecoderSession
    public let prefixLength: Int
    private let prefixLogits: [Float]

    /// Runs the prefix (embeddings (count, width)) after whatever the session holds.
    public init(session: any DecoderSession, prefix: [Float], count: Int) throws {
        self.session = session
        prefixLogits = try session.forward(prefix, count: count, allLogits: false)
        prefixLength = session.position
    }

    /// log p(token_j | prefix, tokens before j) for each token of the continuation.
    public func logprobs(_ ids: [Int32]) throws -> [Double] {
        guard !ids.isEmpty else { return [] }
        guard prefixLength + ids.count - 1 <= session.contextLength else {
            throw GenerationError.contextOverflow(needed: prefixLength + ids.count, context: session.contextLength)
        }
        session.truncate(to: prefixLength)
        let v = session.vocabularySize
        // row j predicts token j: row 0 is the prefix's last logits, the rest come from the continuation
        var rows = prefixLogits
        if ids.count > 1 { rows += try session.forward(try session.embed(Array(ids.dropLast())), count: ids.count - 1, allLogits: true) }
        var out: [Double] = []
        var scratch = [Float](repeating: 0, count: v)
        for (j, id) in ids.enumerated() {
            guard id >= 0, Int(id) < v else { throw GenerationError.tokenOutOfRange(id: id, vocabulary: v) }
            rows.withUnsafeBufferPointer { src in
                scratch.withUnsafeMutableBufferPointer { dst in
                    guard let s = src.baseAddress, let d = dst.baseAddress else { return }
                    Activations.logSoftmax(s + j * v, n: v, out: d)
                }
            }
            out.append(Double(scratch[Int(id)]))
        }
        return out
    }
}
