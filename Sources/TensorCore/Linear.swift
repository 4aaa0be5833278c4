import CKernels
import COpenBLAS

/// Scratch memory for matrix products, allocated once per session so the decode loop never allocates.
public final class LinearScratch: @unchecked Sendable {
    /// The activation row quantized to Q8_0 (for Q8_0/Q4_0 weights).
    let activationQ8: UnsafeMutableRawPointer
    /// What the Q8_0/Q4_0 kernels need from it (gk_act_info), computed once per product.
    let activationInfo: UnsafeMutablePointer<Float>
    /// One dequantized weight tile per thread: (tileRows, maxCols) floats.
    let tiles: [UnsafeMutablePointer<Float>]
    let maxCols: Int
    // 256 rows: sgemm on 32-row tiles ran prefill ~15% slower (GPT-J-6B Q4_0, 152 tokens: 8.3 vs 9.7 tok/s)
    static let tileRows = 256
    /// Up to this many rows run as matrix-vector products (one pass over the weights for all of them).
    public static let maxVectorRows = 8

    public init(maxCols: Int, threads: Int) {
        self.maxCols = maxCols
        activationQ8 = UnsafeMutableRawPointer.allocate(byteCount: LinearScratch.maxVectorRows * max(34, (maxCols + 31) / 32 * 34), alignment: 64)
        activationInfo = UnsafeMutablePointer<Float>.allocate(capacity: LinearScratch.maxVectorRows * 2 * max(1, (maxCols + 31) / 32))
        tiles = (0..<max(1, threads)).map { _ in
            UnsafeMutablePointer<Float>.allocate(capacity: LinearScratch.tileRows * maxCols)
        }
    }

    deinit {
        activationQ8.deallocate()
        activationInfo.deallocate()
        tiles.forEach { $0.deallocate() }
    }
}

/// y = x W^T + b for a weight W of shape (rows, cols) in any supported type.
/// One token runs as a matrix-vector product in the C kernels (activations quantized to Q8_0 for
/// quantized weights, as ggml does); several tokens run as matrix-matrix products (sgemm over
/// dequantized row tiles), which is what makes prefill compute-bound rather than bandwidth-bound.
public enum Linear {
    /// - Parameters:
    ///   - input: (tokens, cols) row-major
    ///   - output: (tokens, rows) row-major
    ///   - bias: rows floats or nil
    public static func apply(
        _ w: TensorView, bias: UnsafePointer<Float>?, input: UnsafePointer<Float>, tokens: Int,
        output: UnsafeMutablePointer<Float>, pool: ThreadPool, scratch: LinearScratch
    ) {
        let rows = w.rows, cols = w.cols
        precondition(cols <= scratch.maxCols, "scratch too small for \(w.name)")
        // a matrix-matrix product pays for dequantizing every weight once; for a few rows (decoding, or a
        // batch of sequences decoding together) one streaming pass of matrix-vector products is cheaper
        if tokens <= LinearScratch.maxVectorRows {
            let parts = pool.shrinkingChunks(rows, granule: 16)
            var xq8: UnsafeRawPointer? = nil
            var xinfo: UnsafePointer<Float>? = nil
            let q8Stride = GGMLType.q8_0.byteCount(elements: cols) ?? 0
            if w.type.isQuantized {
                for t in 0..<tokens { gk_quantize_q8_0(input + t * cols, scratch.activationQ8 + t * q8Stride, Int64(cols)) }
                xq8 = UnsafeRawPointer(scratch.activationQ8)
                if gk_act_info(w.type.kernelID, xq8, Int64(q8Stride), Int64(tokens), Int64(cols), scratch.activationInfo) != 0 {
                    xinfo = UnsafePointer(scratch.activationInfo)
                }
            }
            pool.parallelFor(parts.count) { i, _ in
                gk_matvec_rows_multi(w.type.kernelID, w.data, Int64(cols), input, xq8, Int64(q8Stride), Int64(tokens), xinfo,
                                     output, Int64(rows), Int64(parts[i].lowerBound), Int64(parts[i].upperBound))
            }
        } else {
            let tileRows = LinearScratch.tileRows
            let nTiles = (rows + tileRows - 1) / tileRows
            // Few output rows and many tokens (the image encoder's early convolutions: 64-256 channels over
            // thousands of pixels) also split the tokens, so every thread has work.
            let tokenChunks = nTiles >= 2 * pool.size ? 1 : max(1, min(tokens / 64, (2 * pool.size + nTiles - 1) / nTiles))
            pool.parallelFor(nTiles * tokenChunks) { item, thread in
                let tile = item / tokenChunks, chunk = item % tokenChunks
                let r0 = tile * tileRows, r1 = min(rows, r0 + tileRows)
                let t0 = chunk * tokens / tokenChunks, t1 = (chunk + 1) * tokens / tokenChunks
                let weights: UnsafePointer<Float>
                if w.type == .f32 {
                    weights = (w.data + r0 * w.rowBytes).assumingMemoryBound(to: Float.self)
                } else {
                    gk_dequantize_rows(w.type.kernelID, w.data, Int64(cols), scratch.tiles[thread], Int64(r0), Int64(r1))
                    weights = UnsafePointer(scratch.tiles[thread])
                }
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(t1 - t0), Int32(r1 - r0), Int32(cols),
                            1, input + t0 * cols, Int32(cols), weights, Int32(cols), 0, output + t0 * rows + r0, Int32(rows))
            }
        }
        if let bias {
            for t in 0..<tokens {
                let y = output + t * rows
                for r in 0..<rows { y[r] += bias[r] }
            }
        }
    }
}
