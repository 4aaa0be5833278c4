import CKernels
import Foundation

/// Facts about the kernels in use, and a bandwidth probe, for `glimpse bench`.
public enum Kernels {
    /// The code path the runtime dispatcher picked ("avx2", "scalar").
    public static var cpuPath: String { String(cString: gk_cpu_path()) }

    /// Reads every byte of `regions` with the pool's threads, in 1 MiB pieces, and returns bytes per second.
    public static func readBandwidth(_ regions: [(UnsafeRawPointer, Int)], pool: ThreadPool) -> Double {
        var pieces: [(UnsafeRawPointer, Int)] = []
        for (base, count) in regions {
            var off = 0
            while off < count {
                let n = min(1 << 20, count - off)
                pieces.append((base + off, n))
                off += n
            }
        }
        var sink = [UInt64](repeating: 0, count: pool.size)
        let start = Date()
        sink.withUnsafeMutableBufferPointer { s in
            guard let out = s.baseAddress else { return }
            pool.parallelFor(pieces.count) { i, t in out[t] ^= gk_touch_bytes(pieces[i].0, Int64(pieces[i].1)) }
        }
        let seconds = Date().timeIntervalSince(start)
        lastFold = sink.reduce(0, ^)  // an observable result, so the reads cannot be optimized away
        return Double(pieces.reduce(0) { $0 + $1.1 }) / max(seconds, 1e-9)
    }

    /// The XOR of the bytes the last bandwidth probe read.
    nonisolated(unsafe) public private(set) static var lastFold: UInt64 = 0
}
