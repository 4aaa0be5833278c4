import CKernels

/// Row-wise and elementwise functions of the forward pass (loops in CKernels).
public enum Activations {
    /// LayerNorm over each of `rows` rows of `n` (biased variance, as torch.nn.LayerNorm).
    public static func layerNorm(_ x: UnsafePointer<Float>, rows: Int, n: Int, weight: [Float],
                                 bias: [Float], eps: Float, out: UnsafeMutablePointer<Float>) {
        precondition(weight.count == n && bias.count == n, "LayerNorm parameters must have \(n) elements")
        weight.withUnsafeBufferPointer { w in
            bias.withUnsafeBufferPointer { b in
                for r in 0..<rows { gk_layer_norm(x + r * n, w.baseAddress, b.baseAddress, Int64(n), eps, out + r * n) }
            }
        }
    }

    /// transformers' gelu_new (tanh form), in place, split over the pool when there is enough work
    /// (a prefill's MLP activations: tokens x 16384 for GPT-J-6B).
    public static func geluNew(_ x: UnsafeMutablePointer<Float>, count: Int, pool: ThreadPool? = nil) {
        guard let pool, pool.size > 1, count >= 65536 else {
            gk_gelu_new(x, Int64(count))
            return
        }
        // chunks of a multiple of 8 elements, so each element takes the same (vector or scalar) path as
        // in one call over the whole
        let parts = 2 * pool.size
        let chunk = ((count + parts - 1) / parts + 7) / 8 * 8
        pool.parallelFor((count + chunk - 1) / chunk) { i, _ in
            gk_gelu_new(x + i * chunk, Int64(min(chunk, count - i * chunk)))
        }
    }

    /// log-softmax of `n` logits into out, computed in double for stable sums.
    public static func logSoftmax(_ x: UnsafePointer<Float>, n: Int, out: UnsafeMutablePointer<Float>) {
        var m = -Float.infinity
        for i in 0..<n where x[i] > m { m = x[i] }
        var s = 0.0
        for i in 0..<n { s += Double(expf(x[i] - m)) }
        let lse = m + Float(log(s))
        for i in 0..<n { out[i] = x[i] - lse }
    }
}

#if canImport(Glibc)
import Glibc
#endif
