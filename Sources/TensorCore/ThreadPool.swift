import CKernels
import COpenBLAS

/// A persistent pool of worker threads (the caller is worker 0). Workers spin briefly after each
/// job and then sleep, so the hundreds of parallel sections per decoded token cost little.
public final class ThreadPool: @unchecked Sendable {
    private let raw: OpaquePointer?

    /// Number of threads including the caller.
    public let size: Int

    public init(threads: Int) {
        raw = gk_pool_create(Int32(max(1, threads)))
        size = Int(gk_pool_size(raw))
        // Glimpse parallelizes around BLAS; a threaded OpenBLAS would spin a core for ~100 ms per call.
        openblas_set_num_threads(1)
    }

    deinit { gk_pool_destroy(raw) }

    /// Runs body(task, thread) for every task in 0..<count and returns when all are done.
    /// `thread` is in 0..<size, so callers can index per-thread scratch buffers.
    public func parallelFor(_ count: Int, _ body: (_ task: Int, _ thread: Int) -> Void) {
        guard count > 0 else { return }
        withoutActuallyEscaping(body) { escaping in
            var closure = escaping
            withUnsafeMutablePointer(to: &closure) { ctx in
                gk_pool_run(raw, { ctx, task, thread in
                    guard let ctx else { return }
                    ctx.assumingMemoryBound(to: ((Int, Int) -> Void).self).pointee(Int(task), Int(thread))
                }, ctx, Int64(count))
            }
        }
    }

    /// Splits 0..<n into contiguous chunks for the pool's dynamic scheduling that shrink as the work runs
    /// out (guided scheduling): each is a 1/(2 * size) share of what is left, rounded up to a multiple of
    /// `granule`. Early chunks are large, so claiming them costs little; the last are small, so no thread
    /// waits long for another's last chunk at the end of a parallel section. (A 16th of a GPT-J-6B Q4_0
    /// product is 45-180 us of streaming, and decode ends ~200 sections per token.)
    public func shrinkingChunks(_ n: Int, granule: Int = 1) -> [Range<Int>] {
        guard n > 0 else { return [] }
        let g = max(1, granule)
        guard size > 1 else { return [0..<n] }
        var parts: [Range<Int>] = []
        var start = 0
        while start < n {
            let share = (n - start) / (2 * size)
            let chunk = max(g, (share + g - 1) / g * g)
            parts.append(start..<min(n, start + chunk))
            start += chunk
        }
        return parts
    }
}
