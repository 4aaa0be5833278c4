import CKernels
import Testing
@testable import TensorCore

/// Q4_0_X8 and Q8_0_X8 (blocks of 8 rows stored together): the same blocks as Q4_0 and Q8_0, regrouped, and
/// matrix products that agree with the plain types' on the rows before regrouping.
struct InterleavedTests {
    static let pairs: [(plain: GGMLType, grouped: GGMLType)] = [(.q4_0, .q4_0x8), (.q8_0, .q8_0x8)]

    /// rows x cols random weights as plain rows and interleaved.
    static func matrices(_ type: GGMLType, rows: Int, cols: Int, seed: UInt64) -> (plain: [UInt8], grouped: [UInt8]) {
        let w = ConversionKernelTests.randomFloats(rows * cols, seed: seed, scale: 3)
        let bytes = rows * type.byteCount(elements: cols)!
        var plain = [UInt8](repeating: 0, count: bytes), grouped = [UInt8](repeating: 0xEE, count: bytes)
        type.ungrouped.encode(w, rows: rows, cols: cols, into: &plain)
        type.encode(w, rows: rows, cols: cols, into: &grouped)
        return (plain, grouped)
    }

    @Test(arguments: [GGMLType.q4_0x8, .q8_0x8])
    func blocksArePlainBlocksRegrouped(type: GGMLType) {
        let rows = 16, cols = 96, nb = cols / 32
        let block = type.bytesPerBlock, quants = block - 2
        #expect(type.rowGroup == 8 && type.ungrouped.bytesPerBlock == block)
        let (plain, grouped) = Self.matrices(type, rows: rows, cols: cols, seed: 71)
        for r in 0..<rows {
            for b in 0..<nb {
                let src = (r * nb + b) * block
                let dst = ((r / 8) * nb + b) * 8 * block
                let k = r % 8
                #expect(Array(grouped[(dst + 2 * k)..<(dst + 2 * k + 2)]) == Array(plain[src..<(src + 2)]), "\(type): scale of row \(r) block \(b)")
                let qs = dst + 16 + quants * k
                #expect(Array(grouped[qs..<(qs + quants)]) == Array(plain[(src + 2)..<(src + block)]), "\(type): quants of row \(r) block \(b)")
            }
        }
    }

    /// Prefill's tiles and TensorView's rows: any row range gives the plain type's values for those rows.
    @Test(arguments: [GGMLType.q4_0x8, .q8_0x8])
    func dequantizedRowsEqualThePlainTypes(type: GGMLType) {
        let rows = 24, cols = 2080
        let (plain, grouped) = Self.matrices(type, rows: rows, cols: cols, seed: 72)
        for (r0, r1) in [(0, 24), (3, 13), (8, 16), (23, 24)] {
            var got = [Float](repeating: .nan, count: (r1 - r0) * cols), want = got
            grouped.withUnsafeBytes { type.decode($0.baseAddress!, cols: cols, rows: r0..<r1, into: &got) }
            plain.withUnsafeBytes { type.ungrouped.decode($0.baseAddress!, cols: cols, rows: r0..<r1, into: &want) }
            #expect(got == want, "\(type): rows \(r0)..<\(r1)")
        }
        grouped.withUnsafeBytes { g in
            let view = TensorView(name: "w", type: type, shape: [rows, cols], data: g.baseAddress!, byteCount: g.count, owner: nil)
            var row = [Float](repeating: .nan, count: cols), want = row
            view.decodeRow(13, into: &row)
            plain.withUnsafeBytes { type.ungrouped.decode($0.baseAddress!, cols: cols, rows: 13..<14, into: &want) }
            #expect(row == want)
        }
    }

    /// Σ over blocks of |d_w d_x| × 16 × Σ|x_q|: bounds the sums the Q4_0 SIMD kernels form before subtracting
    /// Q4_0's offset of 8.
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
    @Test(arguments: [GGMLType.q4_0x8, .q8_0x8], [32, 96, 2080, 4096, 16384])
    func matvecAgreesWithPlainRows(type: GGMLType, cols: Int) {
        let rows = 24, vectors = 3
        let (plain, grouped) = Self.matrices(type, rows: rows, cols: cols, seed: 600 + UInt64(cols))
        let x = ConversionKernelTests.randomFloats(vectors * cols, seed: 601 + UInt64(cols), scale: 2)
        let q8Bytes = GGMLType.q8_0.byteCount(elements: cols)!
        var xq = [UInt8](repeating: 0, count: vectors * q8Bytes)
        GGMLType.q8_0.encode(x, rows: vectors, cols: cols, into: &xq)
        let id = Int32(type.rawValue), plainID = Int32(type.ungrouped.rawValue)
        var info = [Float](repeating: 0, count: vectors * 2 * (cols / 32))
        let haveInfo = xq.withUnsafeBytes { gk_act_info(id, $0.baseAddress, Int64(q8Bytes), Int64(vectors), Int64(cols), &info) } != 0
        let rowBytes = plain.count / rows
        for (r0, r1) in [(0, rows), (3, 21), (8, 16)] {
            var fast = [Float](repeating: .nan, count: vectors * rows), portable = fast
            grouped.withUnsafeBytes { w in xq.withUnsafeBytes { q in
                gk_matvec_rows_multi(id, w.baseAddress, Int64(cols), x, q.baseAddress, Int64(q8Bytes), Int64(vectors),
                                     haveInfo ? info : nil, &fast, Int64(rows), Int64(r0), Int64(r1))
                gk_matvec_rows_multi(id, w.baseAddress, Int64(cols), x, q.baseAddress, Int64(q8Bytes), Int64(vectors),
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
                    let row = plain.withUnsafeBytes { UnsafeRawBufferPointer(rebasing: $0[(r * rowBytes)..<((r + 1) * rowBytes)]) }
                    let expected = QuantizedDotTests.reference(type.ungrouped, row, xv, n: cols)
                    // the Q4_0 SIMD kernels sum unsigned nibbles and subtract 8 x sum(x) once: their float
                    // rounding scales with those sums, up to 16 x the activations' magnitude per block
                    let bound = type == .q4_0x8 ? Self.offsetMagnitude(row, xv, cols: cols) : 0
                    #expect(abs(Double(got) - expected.value) <= 1e-6 * max(1, expected.magnitude + bound),
                            "\(type) cols \(cols) vector \(v) row \(r): \(got) vs \(expected)")
                    let plainPortable = xv.withUnsafeBytes { gk_dot_row_portable(plainID, row.baseAddress, nil, $0.baseAddress, Int64(cols)) }
                    #expect(slow == plainPortable, "\(type) cols \(cols) vector \(v) row \(r): portable \(slow) vs plain \(plainPortable)")
                }
            }
        }
    }
}
