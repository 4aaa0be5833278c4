import CKernels
import Foundation
import Generation
import TensorCore

/// Mutable state for running GPT-J: the KV cache and every activation buffer, allocated once so that
/// decoding never allocates. The forward pass follows transformers' modeling_gptj.py
/// (GPTJBlock, GPTJAttention with rotate_every_two, GPTJMLP with gelu_new).
public final class GPTJSession: DecoderSession {
    public let model: GPTJModel
    public let cache: KVCache
    public let pool: ThreadPool
    /// Most positions one internal pass handles; longer inputs run in chunks.
    public let batchSize: Int
    private let scratch: LinearScratch
    private let buffers: ForwardBuffers

    init(model: GPTJModel, kvType: KVType, pool: ThreadPool, batchSize: Int) {
        let c = model.config
        self.model = model
        self.pool = pool
        self.batchSize = max(1, batchSize)
        cache = KVCache(layers: c.layerCount, capacity: c.contextLength, heads: c.headCount, headDimension: c.headDimension,
                        type: kvType)
        scratch = LinearScratch(maxCols: max(c.embeddingWidth, c.feedForwardWidth), threads: pool.size)
        buffers = ForwardBuffers(config: c, batch: self.batchSize, threads: pool.size)
    }

    public var vocabularySize: Int { model.config.vocabularySize }
    public var embeddingWidth: Int { model.config.embeddingWidth }
    public var contextLength: Int { model.config.contextLength }
    public var position: Int { cache.count }

    public func truncate(to length: Int) { cache.truncate(to: length) }

    public func embed(_ ids: [Int32]) throws -> [Float] {
        let d = embeddingWidth
        var out = [Float](repeating: 0, count: ids.count * d)
        try out.withUnsafeMutableBufferPointer { buf in
            guard let base = buf.baseAddress else { return }
            for (t, id) in ids.enumerated() {
                guard id >= 0, Int(id) < vocabularySize else {
                    throw GenerationError.tokenOutOfRange(id: id, vocabulary: vocabularySize)
                }
                model.weights.tokenEmbedding.decodeRow(Int(id), into: base + t * d)
            }
        }
        return out
    }

    public func forward(_ embeddings: [Float], count: Int, allLogits: Bool) throws -> [Float] {
        let d = embeddingWidth, v = vocabularySize
        precondition(embeddings.count == count * d, "embeddings must be (count, embeddingWidth)")
        guard count > 0 else { throw GenerationError.emptyPrompt }
        guard position + count <= contextLength else {
            throw GenerationError.contextOverflow(needed: position + count, context: contextLength)
        }
        var logits = [Float](repeating: 0, count: (allLogits ? count : 1) * v)
        embeddings.withUnsafeBufferPointer { input in
            logits.withUnsafeMutableBufferPointer { out in
                guard let inBase = input.baseAddress, let outBase = out.baseAddress else { return }
                var done = 0
                while done < count {
                    let n = min(batchSize, count - done)
                    let isLast = done + n == count
                    let want: LogitRows = allLogits ? .all : (isLast ? .last : .none)
                    let dst = allLogits ? outBase + done * v : outBase
                    let p0 = cache.count
                    run(inBase + done * d, rows: (0..<n).map { RowTarget(cache: cache, position: p0 + $0) }, logits: want, into: dst)
                    cache.advance(by: n)
                    done += n
                }
            }
        }
        return logits
    }

    enum LogitRows { case none, last, all }

    /// Where one input row goes: the cache it extends and its position there. A prefill's rows share one
    /// cache at consecutive positions; a batched decoding step has one row per sequence.
    struct RowTarget {
        let cache: KVCache
        let position: Int
    }

    /// One pass over the input rows; each row's key and value go to its target, and it attends over its
    /// own cache up to and including its position. The caller advances the caches.
    private func run(_ input: UnsafePointer<Float>, rows targets: [RowTarget], logits want: LogitRows, into logits: UnsafeMutablePointer<Float>) {
        let c = model.config, w = model.weights, b = buffers
        let d = c.embeddingWidth, ff = c.feedForwardWidth, t = targets.count
        // 1. the residual stream starts as the input embeddings (tokens or image soft tokens)
        b.x.update(from: input, count: t * d)
        for (layer, blk) in w.blocks.enumerated() {
            // 2. one LayerNorm feeds both attention and the MLP
            Activations.layerNorm(b.x, rows: t, n: d, weight: blk.normWeight, bias: blk.normBias,
                                  eps: c.layerNormEpsilon, out: b.h)
            // 3. q, k, v projections (no bias)
            linear(blk.attnQ, nil, b.h, t, b.q)
            linear(blk.attnK, nil, b.h, t, b.k)
            linear(blk.attnV, nil, b.h, t, b.v)
            // 4. rotary embedding on the first rotary_dim dims of each head, interleaved pairs
            let positions = targets.map(\.position)
            applyRotary(b.q, positions: positions)
            applyRotary(b.k, positions: positions)
            // 5. append k, v to the cache, then causal attention over positions 0...p for each new row
            for (i, r) in targets.enumerated() { r.cache.store(layer: layer, position: r.position, key: b.k + i * d, value: b.v + i * d) }
            attend(layer: layer, rows: targets)
            // 6. attention output projection (no bias)
            linear(blk.attnOutput, nil, b.o, t, b.a)
            // 7. MLP on the same normed input: fc_in -> gelu_new -> fc_out
            blk.ffnUpBias.withUnsafeBufferPointer { linear(blk.ffnUp, $0.baseAddress, b.h, t, b.ff) }
            Activations.geluNew(b.ff, count: t * ff, pool: pool)
            blk.ffnDownBias.withUnsafeBufferPointer { linear(blk.ffnDown, $0.baseAddress, b.ff, t, b.m) }
            // 8. parallel residual: x = x + attn + mlp
            for i in 0..<(t * d) { b.x[i] += b.a[i] + b.m[i] }
        }
        // 9. final LayerNorm and lm_head (with bias) for the rows whose logits are wanted
        let first: Int
        switch want {
        case .none: return
        case .last: first = t - 1
        case .all: first = 0
        }
        let rows = t - first
        Activations.layerNorm(b.x + first * d, rows: rows, n: d, weight: w.outputNormWeight, bias: w.outputNormBias,
                              eps: c.layerNormEpsilon, out: b.h)
        w.outputBias.withUnsafeBufferPointer { linear(w.output, $0.baseAddress, b.h, rows, logits) }
    }

    private func linear(_ weight: TensorView, _ bias: UnsafePointer<Float>?, _ x: UnsafePointer<Float>, _ t: Int,
                        _ y: UnsafeMutablePointer<Float>) {
        Linear.apply(weight, bias: bias, input: x, tokens: t, output: y, pool: pool, scratch: scratch)
    }

    /// rotate_every_two: (x[2i], x[2i+1]) -> (x[2i] cos - x[2i+1] sin, x[2i+1] cos + x[2i] sin).
    private func applyRotary(_ x: UnsafeMutablePointer<Float>, positions: [Int]) {
        let c = model.config, half = c.rotaryDimensions / 2, hd = c.headDimension
        guard half > 0 else { return }
        model.ropeCos.withUnsafeBufferPointer { cosTable in
            model.ropeSin.withUnsafeBufferPointer { sinTable in
                for (i, p) in positions.enumerated() {
                    let row = p * half
                    for head in 0..<c.headCount {
                        let v = x + i * c.embeddingWidth + head * hd
                        for j in 0..<half {
                            let cs = cosTable[row + j], sn = sinTable[row + j]
                            let a = v[2 * j], b = v[2 * j + 1]
                            v[2 * j] = a * cs - b * sn
                            v[2 * j + 1] = b * cs + a * sn
                        }
                    }
                }
            }
        }
    }

    /// softmax(q k^T / sqrt(head_dim)) v per head, in f32, each row seeing positions up to its own.
    private func attend(layer: Int, rows targets: [RowTarget]) {
        let c = model.config, b = buffers
        let hd = c.headDimension, d = c.embeddingWidth, heads = c.headCount
        let scale = 1 / Float(hd).squareRoot()
        pool.parallelFor(targets.count * heads) { task, thread in
            let i = task / heads, head = task % heads
            let cache = targets[i].cache
            let kvType: Int32 = cache.type == .f32 ? Int32(GK_TYPE_F32) : Int32(GK_TYPE_F16)
            gk_attend(b.q + i * d + head * hd, cache.keyRows(layer: layer, head: head),
                      cache.valueRows(layer: layer, head: head), kvType,
                      Int64(hd), Int64(targets[i].position + 1), Int64(hd), scale, b.scores[thread], b.o + i * d + head * hd)
        }
    }

    /// One decoding step for several sequences at once: `tokens[i]` is appended to `sessions[i]`'s cache.
    /// Each weight matrix is read once for all of them, yet every sequence gets exactly the logits a step of
    /// its own would give. All sessions must belong to this session's model; this session's buffers are used.
    /// - Returns: logits (sessions.count, vocabularySize).
    public func decodeStep(_ sessions: [GPTJSession], tokens: [Int32]) throws -> [Float] {
        precondition(sessions.count == tokens.count && sessions.allSatisfy { $0.model === model })
        guard sessions.count <= min(batchSize, LinearScratch.maxVectorRows) else {
            throw GenerationError.batchTooLarge(requested: sessions.count, limit: min(batchSize, LinearScratch.maxVectorRows))
        }
        for s in sessions where s.position >= contextLength {
            throw GenerationError.contextOverflow(needed: s.position + 1, context: contextLength)
        }
        let input = try embed(tokens)
        var logits = [Float](repeating: 0, count: sessions.count * vocabularySize)
        input.withUnsafeBufferPointer { src in
            logits.withUnsafeMutableBufferPointer { dst in
                guard let s = src.baseAddress, let o = dst.baseAddress else { return }
                run(s, rows: sessions.map { RowTarget(cache: $0.cache, position: $0.position) }, logits: .all, into: o)
            }
        }
        for s in sessions { s.cache.advance(by: 1) }
        return logits
    }

    /// Makes this session's cache hold `other`'s first `length` positions (a shared few-shot prefix).
    public func copyPrefix(from other: GPTJSession, length: Int) {
        cache.copyPrefix(from: other.cache, length: length)
    }
}

/// Activation buffers for up to `batch` rows at a time.
final class ForwardBuffers: @unchecked Sendable {
    let x, h, q, k, v, o, a, m, ff: UnsafeMutablePointer<Float>
    let scores: [UnsafeMutablePointer<Float>]
    private let all: [UnsafeMutablePointer<Float>]

    init(config c: GPTJConfig, batch: Int, threads: Int) {
        let d = batch * c.embeddingWidth
        // every buffer is written before it is read; leaving pages untouched keeps RSS small until used
        func alloc(_ n: Int) -> UnsafeMutablePointer<Float> { UnsafeMutablePointer<Float>.allocate(capacity: n) }
        x = alloc(d); h = alloc(d); q = alloc(d); k = alloc(d); v = alloc(d); o = alloc(d); a = alloc(d); m = alloc(d)
        ff = alloc(batch * c.feedForwardWidth)
        scores = (0..<threads).map { _ in alloc(c.contextLength) }
        all = [x, h, q, k, v, o, a, m, ff] + scores
    }

    deinit { all.forEach { $0.deallocate() } }
}
