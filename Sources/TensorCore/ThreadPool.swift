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

    /// Splits 0..<n into about `size * perThread` contiguous chunks of at least `minChunk` items.
    public func chunks(_ n: Int, minChunk: Int = 1, perThread: Int = 4) -> [Range<Int>] {
        guard n > 0 else { return [] }
        let target = max(1, size * perThread)
        let chunk = max(minChunk, (n + target - 1) / target)
        return stride(from: 0, to: n, by: chunk).map { $0..<min(n, $0 + chunk) }
    }
}
