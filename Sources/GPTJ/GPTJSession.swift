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
        cache = KVCache(layers: c.layerCount, capacity: c.contextLength, width: c.embeddingWidth, type: kvType)
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
                    run(inBase + done * d, tokens: n, logits: want, into: dst)
                    done += n
                }
            }
        }
        return logits
    }

    enum LogitRows { case none, last, all }

    /// One pass over `t` input rows appended at the cache's current position.
    private func run(_ input: UnsafePointer<Float>, tokens t: Int, logits want: LogitRows, into logits: UnsafeMutablePointer<Float>) {
        let c = model.config, w = model.weights, b = buffers
        let d = c.embeddingWidth, ff = c.feedForwardWidth
        let p0 = cache.count
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
            applyRotary(b.q, tokens: t, firstPosition: p0)
            applyRotary(b.k, tokens: t, firstPosition: p0)
            // 5. append k, v to the cache, then causal attention over positions 0...p for each new row
            for i in 0..<t { cache.store(layer: layer, position: p0 + i, key: b.k + i * d, value: b.v + i * d) }
            attend(layer: layer, tokens: t, firstPosition: p0)
            // 6. attention output projection (no bias)
            linear(blk.attnOutput, nil, b.o, t, b.a)
            // 7. MLP on the same normed input: fc_in -> gelu_new -> fc_out
            blk.ffnUpBias.withUnsafeBufferPointer { linear(blk.ffnUp, $0.baseAddress, b.h, t, b.ff) }
            Activations.geluNew(b.ff, count: t * ff)
            blk.ffnDownBias.withUnsafeBufferPointer { linear(blk.ffnDown, $0.baseAddress, b.ff, t, b.m) }
            // 8. parallel residual: x = x + attn + mlp
            for i in 0..<(t * d) { b.x[i] += b.a[i] + b.m[i] }
        }
        cache.advance(by: t)
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
    private func applyRotary(_ x: UnsafeMutablePointer<Float>, tokens t: Int, firstPosition p0: Int) {
        let c = model.config, half = c.rotaryDimensions / 2, hd = c.headDimension
        guard half > 0 else { return }
        model.ropeCos.withUnsafeBufferPointer { cosTable in
            model.ropeSin.withUnsafeBufferPointer { sinTable in
                for i in 0..<t {
                    let row = (p0 + i) * half
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
    private func attend(layer: Int, tokens t: Int, firstPosition p0: Int) {
        let c = model.config, b = buffers
        let hd = c.headDimension, d = c.embeddingWidth, heads = c.headCount
        let scale = 1 / Float(hd).squareRoot()
        let keys = cache.keyRows(layer: layer), values = cache.valueRows(layer: layer)
        let elem = cache.type == .f32 ? 4 : 2
        let kvType: Int32 = cache.type == .f32 ? Int32(GK_TYPE_F32) : Int32(GK_TYPE_F16)
        pool.parallelFor(t * heads) { task, thread in
            let i = task / heads, head = task % heads
            gk_attend(b.q + i * d + head * hd, keys + head * hd * elem, values + head * hd * elem, kvType,
                      Int64(d), Int64(p0 + i + 1), Int64(hd), scale, b.scores[thread], b.o + i * d + head * hd)
        }
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
