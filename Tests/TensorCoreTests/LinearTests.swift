import CKernels
import Testing
@testable import TensorCore

/// Matrix products of every weight type against a scalar f64 reference over the dequantized weights.
struct LinearTests {
    static let pool = ThreadPool(threads: 2)

    func reference(_ w: [Float], rows: Int, cols: Int, x: [Float], tokens: Int) -> [Float] {
        var y = [Float](repeating: 0, count: tokens * rows)
        for t in 0..<tokens {
            for r in 0..<rows {
                var s = 0.0
                for c in 0..<cols { s += Double(w[r * cols + c]) * Double(x[t * cols + c]) }
                y[t * rows + r] = Float(s)
            }
        }
        return y
    }

    @Test(arguments: [GGMLType.f32, .f16, .bf16, .q8_0, .q4_0, .q4_0x8, .q8_0x8], [1, 5, 12])
    func linearMatchesReference(type: GGMLType, tokens: Int) {
        let rows = type.rowGroup == 1 ? 70 : 72, cols = 96  // 70: an odd pair count where rows need not group
        let wf = ConversionKernelTests.randomFloats(rows * cols, seed: 3)
        let x = ConversionKernelTests.randomFloats(tokens * cols, seed: 4)
        let rowBytes = type.byteCount(elements: cols)!
        var bytes = [UInt8](repeating: 0, count: rows * rowBytes)
        type.encode(wf, rows: rows, cols: cols, into: &bytes)
        var deq = [Float](repeating: 0, count: rows * cols)
        bytes.withUnsafeBytes { type.decode($0.baseAddress!, cols: cols, rows: 0..<rows, into: &deq) }
        let expected = reference(deq, rows: rows, cols: cols, x: x, tokens: tokens)
        let bias = (0..<rows).map { Float($0) / 100 }
        var y = [Float](repeating: 0, count: tokens * rows)
        bytes.withUnsafeBytes { b in
            let view = TensorView(name: "w", type: type, shape: [rows, cols], data: b.baseAddress!, byteCount: b.count, owner: nil)
            Linear.apply(view, bias: bias, input: x, tokens: tokens, output: &y, pool: Self.pool,
                         scratch: LinearScratch(maxCols: cols, threads: Self.pool.size))
        }
        // a few rows with quantized weights also quantize the activations to Q8_0 (as ggml): allow that error
        let tolerance: Float = (tokens <= LinearScratch.maxVectorRows && type.isQuantized) ? 0.05 : 1e-4
        var worst: Float = 0
        for i in 0..<y.count { worst = max(worst, abs(y[i] - (expected[i] + bias[i % rows]))) }
        #expect(worst <= tolerance, "\(type) tokens=\(tokens): max error \(worst)")
    }

    /// Several vectors in one pass give each vector exactly what a pass of its own gives.
    @Test(arguments: [GGMLType.f32, .f16, .q8_0, .q4_0, .q4_0x8, .q8_0x8])
    func batchedRowsEqualSingleRows(type: GGMLType) {
        let rows = 64, cols = 128, batch = 6
        let wf = ConversionKernelTests.randomFloats(rows * cols, seed: 5)
        let x = ConversionKernelTests.randomFloats(batch * cols, seed: 6)
        let rowBytes = type.byteCount(elements: cols)!
        var bytes = [UInt8](repeating: 0, count: rows * rowBytes)
        type.encode(wf, rows: rows, cols: cols, into: &bytes)
        let scratch = LinearScratch(maxCols: cols, threads: Self.pool.size)
        bytes.withUnsafeBytes { b in
            let view = TensorView(name: "w", type: type, shape: [rows, cols], data: b.baseAddress!, byteCount: b.count, owner: nil)
            var together = [Float](repeating: 0, count: batch * rows)
            Linear.apply(view, bias: nil, input: x, tokens: batch, output: &together, pool: Self.pool, scratch: scratch)
            for t in 0..<batch {
                var alone = [Float](repeating: 0, count: rows)
                Array(x[(t * cols)..<((t + 1) * cols)]).withUnsafeBufferPointer {
                    Linear.apply(view, bias: nil, input: $0.baseAddress!, tokens: 1, output: &alone, pool: Self.pool, scratch: scratch)
                }
                #expect(Array(together[(t * rows)..<((t + 1) * rows)]) == alone, "\(type) vector \(t)")
            }
        }
    }

    @Test func poolRunsEveryTaskOnce() {
        for n in [1, 2, 3, 17, 1000] {
            for _ in 0..<50 {
                var hits = [Int](repeating: 0, count: n)
                hits.withUnsafeMutableBufferPointer { h in
                    let base = h.baseAddress!
                    Self.pool.parallelFor(n) { i, thread in
                        #expect(thread < Self.pool.size)
                        base[i] += 1
                    }
                }
                #expect(hits.allSatisfy { $0 == 1 })
            }
        }
    }
    /// Consecutive jobs with different task counts, as decode's products have: each job's tasks run exactly
    /// once and are all done when parallelFor returns. (The race the pool's two-step publishing closes needs
    /// a worker preempted between two instructions, so this rarely reaches it; it checks the contract.)
    @Test func poolJobsOfVaryingSizeRunEachTaskOnce() {
        let pool = ThreadPool(threads: 2)
        let sizes = [3, 40, 7, 33, 2, 64, 5, 17]
        var hits = [Int](repeating: 0, count: 64)
        var wrong = 0
        for round in 0..<20000 {
            let n = sizes[round % sizes.count]
            hits.withUnsafeMutableBufferPointer { h in
                let base = h.baseAddress!
                for i in 0..<n { base[i] = 0 }
                pool.parallelFor(n) { i, _ in base[i] += 1 }
                for i in 0..<n where base[i] != 1 { wrong += 1 }
            }
        }
        #expect(wrong == 0, "\(wrong) tasks ran other than once, or not before parallelFor returned")
    }

    /// Decode's row split: the chunks tile 0..<n in order, are multiples of the granule (but the last),
    /// never grow, and end small, so no thread waits long for another's last chunk.
    @Test func shrinkingChunksTileTheRangeAndShrink() {
        let pool = ThreadPool(threads: 2)
        #expect(pool.shrinkingChunks(0, granule: 16).isEmpty)
        #expect(ThreadPool(threads: 1).shrinkingChunks(4096, granule: 16) == [0..<4096])
        #expect(pool.shrinkingChunks(10, granule: 16) == [0..<10])
        for (n, granule) in [(4096, 16), (16384, 16), (50400, 16), (4100, 16), (7, 1), (1000, 3)] {
            let parts = pool.shrinkingChunks(n, granule: granule)
            #expect(parts.first?.lowerBound == 0 && parts.last?.upperBound == n, "n=\(n)")
            #expect(zip(parts, parts.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound && ($0.count >= $1.count || $1 == parts.last) })
            #expect(parts.dropLast().allSatisfy { $0.count % granule == 0 }, "n=\(n)")
            #expect(parts.last!.count <= granule, "n=\(n): last chunk \(parts.last!.count)")
        }
        // GPT-J's 4096-row products: a quarter first, then shares of what is left, down to 16 rows
        let parts = pool.shrinkingChunks(4096, granule: 16)
        #expect(parts.prefix(3).map(\.count) == [1024, 768, 576])
        #expect(parts.count < 30)
    }
}
