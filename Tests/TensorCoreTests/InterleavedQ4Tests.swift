import CKernels
import Testing
@testable import TensorCore

/// Q4_0_X8 (Q4_0 blocks of 8 rows stored together): the same blocks as Q4_0, regrouped, and matrix products
/// that agree with Q4_0's on the rows before regrouping.
struct InterleavedQ4Tests {
    static let x8 = Int32(GGMLType.q4_0x8.rawValue), q4 = Int32(GGMLType.q4_0.rawValue)

    /// rows x cols random weights as plain Q4_0 rows and as Q4_0_X8.
    static func matrices(rows: Int, cols: Int, seed: UInt64) -> (plain: [UInt8], grouped: [UInt8]) {
        let w = ConversionKernelTests.randomFloats(rows * cols, seed: seed, scale: 3)
        let bytes = rows * GGMLType.q4_0.byteCount(elements: cols)!
        var plain = [UInt8](repeating: 0, count: bytes), grouped = [UInt8](repeating: 0xEE, count: bytes)
        GGMLType.q4_0.encode(w, rows: rows, cols: cols, into: &plain)
        GGMLType.q4_0x8.encode(w, rows: rows, cols: cols, into: &grouped)
        return (plain, grouped)
    }

    @Test func blocksAreQ4_0BlocksRegrouped() {
        let rows = 16, cols = 96, nb = cols / 32
        let (plain, grouped) = Self.matrices(rows: rows, cols: cols, seed: 71)
        for r in 0..<rows {
            for b in 0..<nb {
                let src = (r * nb + b) * 18
                let dst = ((r / 8) * nb + b) * 144
                let k = r % 8
                #expect(Array(grouped[(dst + 2 * k)..<(dst + 2 * k + 2)]) == Array(plain[src..<(src + 2)]), "scale of row \(r) block \(b)")
                let qs = dst + 16 + 16 * k
                #expect(Array(grouped[qs..<(qs + 16)]) == Array(plain[(src + 2)..<(src + 18)]), "nibbles of row \(r) block \(b)")
            }
        }
    }

    /// Prefill's tiles and TensorView's rows: any row range gives Q4_0's values for those rows.
    @Test func dequantizedRowsEqualQ4_0s() {
        let rows = 24, cols = 2080
        let (plain, grouped) = Self.matrices(rows: rows, cols: cols, seed: 72)
        for (r0, r1) in [(0, 24), (3, 13), (8, 16), (23, 24)] {
            var got = [Float](repeating: .nan, count: (r1 - r0) * cols), want = got
            grouped.withUnsafeBytes { gk_dequantize_rows(Self.x8, $0.baseAddress, Int64(cols), &got, Int64(r0), Int64(r1)) }
            plain.withUnsafeBytes { gk_dequantize_rows(Self.q4, $0.baseAddress, Int64(cols), &want, Int64(r0), Int64(r1)) }
            #expect(got == want, "rows \(r0)..<\(r1)")
        }
        grouped.withUnsafeBytes { g in
            let view = TensorView(name: "w", type: .q4_0x8, shape: [rows, cols], data: g.baseAddress!, byteCount: g.count, owner: nil)
            var row = [Float](repeating: .nan, count: cols), want = row
            view.decodeRow(13, into: &row)
            plain.withUnsafeBytes { gk_dequantize_rows(Self.q4, $0.baseAddress, Int64(cols), &want, 13, 14) }
            #expect(row == want)
        }
    }

    /// Σ over blocks of |d_w d_x| × 16 × Σ|x_q|: bounds the sums the SIMD kernels form before subtracting Q4_0's
    /// offset of 8.
    static func offsetMagnitude(_ w: UnsafeRawBufferPointer, _ x: [UInt8], cols: Int) -> Double {
        var total = 0.0
        for b in 0..<(cols / 32) {
            let xs = (0..<32).reduce(0) { $0 + abs(Int(Int8(bitPattern: x[b * 34 + 2 + $1]))) }
            let scales = QuantizedDotTests.halfToDouble(w[b * 18], w[b * 18 + 1]) * QuantizedDotTests.halfToDouble(x[b * 34], x[b * 34 + 1])
            total += abs(scales) * 16 * Double(xs)
        }
        return total
    }

    /// The dispatched kernel (AVX2, VNNI or NEON where the CPU has them) against the exact integer reference of
    /// each plain row, for several vectors at once and row ranges that cut groups; the portable kernel (no
    /// activation figures) gives the plain portable dot product's bits. Rows outside the range stay unwritten.
    @Test(arguments: [32, 96, 2080, 4096, 16384])
    func matvecAgreesWithQ4_0Rows(cols: Int) {
        let rows = 24, vectors = 3
        let (plain, grouped) = Self.matrices(rows: rows, cols: cols, seed: 600 + UInt64(cols))
        let x = ConversionKernelTests.randomFloats(vectors * cols, seed: 601 + UInt64(cols), scale: 2)
        let q8Bytes = GGMLType.q8_0.byteCount(elements: cols)!
        var xq = [UInt8](repeating: 0, count: vectors * q8Bytes)
        GGMLType.q8_0.encode(x, rows: vectors, cols: cols, into: &xq)
        var info = [Float](repeating: 0, count: vectors * 2 * (cols / 32))
        let haveInfo = xq.withUnsafeBytes { gk_act_info(Self.x8, $0.baseAddress, Int64(q8Bytes), Int64(vectors), Int64(cols), &info) } != 0
        let rowBytes = plain.count / rows
        for (r0, r1) in [(0, rows), (3, 21), (8, 16)] {
            var fast = [Float](repeating: .nan, count: vectors * rows), portable = fast
            grouped.withUnsafeBytes { w in xq.withUnsafeBytes { q in
                gk_matvec_rows_multi(Self.x8, w.baseAddress, Int64(cols), x, q.baseAddress, Int64(q8Bytes), Int64(vectors),
                                     haveInfo ? info : nil, &fast, Int64(rows), Int64(r0), Int64(r1))
                gk_matvec_rows_multi(Self.x8, w.baseAddress, Int64(cols), x, q.baseAddress, Int64(q8Bytes), Int64(vectors),
                                     nil, &portable, Int64(rows), Int64(r0), Int64(r1))
            } }
            for v in 0..<vectors {
                let xv = Array(xq[(v * q8Bytes)..<((v + 1) * q8Bytes)])
                for r in 0..<rows {
                    let got = fast[v * rows + r], slow = portable[v * rows + r]
                    guard (r0..<r1).contains(r) else {
                        #expect(got.isNaN && slow.isNaN, "row \(r) is outside \(r0)..<\(r1) and must not be written")
                        continue
                    }
                    let expected = plain.withUnsafeBytes {
                        QuantizedDotTests.reference(.q4_0, UnsafeRawBufferPointer(rebasing: $0[(r * rowBytes)..<((r + 1) * rowBytes)]), xv, n: cols)
                    }
                    // the SIMD kernels sum unsigned nibbles and subtract 8 x sum(x) once: their float rounding
                    // scales with those sums, up to 16 x the activations' magnitude per block
                    let bound = plain.withUnsafeBytes { Self.offsetMagnitude(UnsafeRawBufferPointer(rebasing: $0[(r * rowBytes)...]), xv, cols: cols) }
                    #expect(abs(Double(got) - expected.value) <= 1e-6 * max(1, expected.magnitude + bound),
                            "cols \(cols) vector \(v) row \(r): \(got) vs \(expected)")
                    let plainPortable = plain.withUnsafeBytes { w in xv.withUnsafeBytes { q in
                        gk_dot_row_portable(Self.q4, w.baseAddress! + r * rowBytes, nil, q.baseAddress, Int64(cols))
                    } }
                    #expect(slow == plainPortable, "cols \(cols) vector \(v) row \(r): portable \(slow) vs plain \(plainPortable)")
                }
            }
        }
    }
}
