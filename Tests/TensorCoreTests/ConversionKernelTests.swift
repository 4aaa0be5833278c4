import CKernels
import Testing
import TestSupport
@testable import TensorCore

/// Element conversions and ggml block layouts, checked against independent Swift references.
struct ConversionKernelTests {
    static func randomFloats(_ n: Int, seed: UInt64, scale: Float = 1) -> [Float] {
        var g = SplitMix64(seed: seed)
        return (0..<n).map { _ in (Float(g.next() % 2_000_001) / 1_000_000 - 1) * scale }
    }

    @Test func fp16MatchesSwiftFloat16() {
        var values: [Float] = Self.randomFloats(20000, seed: 1, scale: 70000)
        values += Self.randomFloats(5000, seed: 2, scale: 1e-4)  // subnormal range
        values += [0, -0, 65504, 65519.99, 65520, -65520, 1e-8, 5.96e-8, 2.98e-8, 2.99e-8, .infinity, -.infinity]
        for x in values {
            #expect(gk_fp32_to_fp16(x) == Float16(x).bitPattern, "fp16 of \(x)")
            let h = Float16(x)
            #expect(gk_fp16_to_fp32(h.bitPattern) == Float(h), "fp32 of \(h)")
        }
        #expect(gk_fp16_to_fp32(gk_fp32_to_fp16(.nan)).isNaN)
    }

    /// Decode quantizes every product's input and writes the KV cache through the dispatched (AVX2) paths:
    /// they must give the portable code's bits, or outputs would depend on the CPU.
    @Test func dispatchedF16ConversionMatchesPortable() {
        var values: [Float] = Self.randomFloats(20000, seed: 11, scale: 70000)
        values += Self.randomFloats(5000, seed: 12, scale: 1e-4)  // subnormal range
        values += [0, -0, 65504, 65519.99, 65520, -65520, 1e-8, 5.96e-8, 2.98e-8, 2.99e-8, .infinity, -.infinity, 1, -2.5]
        var got = [UInt16](repeating: 0, count: values.count), want = got
        gk_to_f16(values, &got, Int64(values.count))
        gk_to_f16_portable(values, &want, Int64(values.count))
        let differing = (0..<values.count).filter { got[$0] != want[$0] }
        #expect(differing.isEmpty, "\(Kernels.cpuPath): \(differing.count) differ, first at \(differing.first.map { values[$0] } ?? 0)")
    }

    @Test func dispatchedQ8_0QuantizerMatchesPortable() {
        var x = Self.randomFloats(32 * 200, seed: 13, scale: 5)
        x += Self.randomFloats(32 * 20, seed: 14, scale: 1e-40)  // subnormal inputs
        x += [Float](repeating: 0, count: 32)                     // d = 0
        // amax 127 makes d = 1: every x/d below is exactly half way, which roundf takes away from zero
        x += (0..<32).map { i in i == 0 ? 127 : (Float(i) - 16) + (i % 2 == 0 ? 0.5 : -0.5) }
        x += (0..<32).map { i in i == 0 ? -127 : -0.5 * Float(i % 3) }
        var got = [UInt8](repeating: 0, count: GGMLType.q8_0.byteCount(elements: x.count)!), want = got
        gk_quantize_q8_0(x, &got, Int64(x.count))
        gk_quantize_q8_0_portable(x, &want, Int64(x.count))
        let differing = (0..<got.count).filter { got[$0] != want[$0] }
        #expect(differing.isEmpty, "\(Kernels.cpuPath): \(differing.count) bytes differ, first in block \((differing.first ?? 0) / 34)")
        // the half-way block against Swift's rounding: 4.5 -> 5 and -13.5 -> -14 (away from zero, not to even)
        let start = x.count - 64
        for j in 0..<32 {
            let expected = Int8(x[start + j].rounded(.toNearestOrAwayFromZero))
            #expect(Int8(bitPattern: got[start / 32 * 34 + 2 + j]) == expected, "x = \(x[start + j])")
        }
    }

    @Test func bf16RoundsToNearestEven() {
        #expect(gk_fp32_to_bf16(1.0) == 0x3F80)
        // 1 + 2^-8 is exactly half way between bf16 1.0 and its successor: ties go to even (1.0)
        #expect(gk_fp32_to_bf16(1.00390625) == 0x3F80)
        // 1 + 3*2^-8 is half way between 0x3F81 and 0x3F82: even is 0x3F82
        #expect(gk_fp32_to_bf16(1.01171875) == 0x3F82)
        #expect(gk_bf16_to_fp32(0x4049) == 3.140625)
        #expect(gk_bf16_to_fp32(gk_fp32_to_bf16(.nan)).isNaN)
    }

    @Test func q8_0BlockLayoutAndRounding() {
        var x = [Float](repeating: 0, count: 32)
        for i in 0..<32 { x[i] = Float(i) - 10.5 }  // amax 20.5 at index 31
        var block = [UInt8](repeating: 0, count: 34)
        GGMLType.q8_0.encode(x, count: 32, into: &block)
        let d = gk_fp16_to_fp32(UInt16(block[0]) | UInt16(block[1]) << 8)
        #expect(d == Float(Float16(Float(20.5) / 127)))
        let id = 1 / (Float(20.5) / 127)
        for i in 0..<32 {
            let expected = Int8((x[i] * id).rounded(.toNearestOrAwayFromZero))
            #expect(Int8(bitPattern: block[2 + i]) == expected)
        }
        var back = [Float](repeating: 0, count: 32)
        GGMLType.q8_0.decode(block, count: 32, into: &back)
        for i in 0..<32 { #expect(abs(back[i] - x[i]) <= d / 2 + 1e-3) }
    }

    @Test func q4_0BlockLayout() {
        var x = [Float](repeating: 0, count: 32)
        for i in 0..<32 { x[i] = Float(i % 7) - 3 }
        x[5] = -8  // the largest magnitude is negative: d = max / -8 = 1
        var block = [UInt8](repeating: 0, count: 18)
        GGMLType.q4_0.encode(x, count: 32, into: &block)
        #expect(gk_fp16_to_fp32(UInt16(block[0]) | UInt16(block[1]) << 8) == 1.0)
        // element j in the low nibble of byte j, element j+16 in the high nibble, each stored as x/d + 8
        for j in 0..<16 {
            #expect(Int(block[2 + j] & 0xF) == min(15, Int(x[j] + 8.5)))
            #expect(Int(block[2 + j] >> 4) == min(15, Int(x[j + 16] + 8.5)))
        }
        var back = [Float](repeating: 0, count: 32)
        GGMLType.q4_0.decode(block, count: 32, into: &back)
        for i in 0..<32 where x[i] != 8 { #expect(back[i] == x[i]) }
    }
}


/// The dispatched quantized dot products (AVX2 or portable, whichever this CPU runs) and the portable
/// ones against an exact integer reference over the same blocks, including odd block counts.
struct QuantizedDotTests {
    static func halfToDouble(_ lo: UInt8, _ hi: UInt8) -> Double { Double(gk_fp16_to_fp32(UInt16(lo) | UInt16(hi) << 8)) }

    /// Σ over blocks of (integer dot) × scales, in double; and Σ of the blocks' magnitudes, which bounds
    /// how far float summation in another order may drift.
    static func reference(_ type: GGMLType, _ wb: UnsafeRawBufferPointer, _ xb: [UInt8], n: Int) -> (value: Double, magnitude: Double) {
        var expected = 0.0, magnitude = 0.0
        let wBlock = type == .q8_0 ? 34 : 18
        for b in 0..<(n / 32) {
            var acc = 0
            for j in 0..<32 {
                let xq = Int(Int8(bitPattern: xb[b * 34 + 2 + j]))
                let wq: Int
                if type == .q8_0 {
                    wq = Int(Int8(bitPattern: wb[b * 34 + 2 + j]))
                } else {
                    let byte = wb[b * 18 + 2 + j % 16]
                    wq = Int(j < 16 ? byte & 0x0F : byte >> 4) - 8
                }
                acc += wq * xq
            }
            let term = Double(acc) * halfToDouble(wb[b * wBlock], wb[b * wBlock + 1]) * halfToDouble(xb[b * 34], xb[b * 34 + 1])
            expected += term
            magnitude += abs(term)
        }
        return (expected, magnitude)
    }

    @Test(arguments: [GGMLType.q8_0, .q4_0], [32, 64, 96, 224, 4096])
    func matchesIntegerReference(type: GGMLType, n: Int) {
        for seed in 0..<20 as Range<UInt64> {
            let w = ConversionKernelTests.randomFloats(n, seed: seed * 2 + 100, scale: 3)
            let x = ConversionKernelTests.randomFloats(n, seed: seed * 2 + 101, scale: 2)
            var wb = [UInt8](repeating: 0, count: type.byteCount(elements: n)!)
            var xb = [UInt8](repeating: 0, count: GGMLType.q8_0.byteCount(elements: n)!)
            type.encode(w, count: n, into: &wb)
            GGMLType.q8_0.encode(x, count: n, into: &xb)
            let expected = wb.withUnsafeBytes { Self.reference(type, $0, xb, n: n) }
            let (got, portable) = wb.withUnsafeBytes { wp in xb.withUnsafeBytes { xp in
                (gk_dot_row(Int32(type.rawValue), wp.baseAddress, nil, xp.baseAddress, Int64(n)),
                 gk_dot_row_portable(Int32(type.rawValue), wp.baseAddress, nil, xp.baseAddress, Int64(n)))
            } }
            #expect(abs(Double(got) - expected.value) <= 1e-6 * max(1, expected.magnitude), "\(type) n=\(n) on \(Kernels.cpuPath): \(got) vs \(expected)")
            #expect(abs(Double(portable) - expected.value) <= 1e-6 * max(1, expected.magnitude), "\(type) n=\(n) portable: \(portable) vs \(expected)")
        }
    }

    /// The matrix-vector kernels (rows in pairs, two blocks per step) against the integer reference of
    /// each row, for odd row ranges and odd block counts (2080 columns: 65 blocks, one past a 64-block chunk).
    @Test(arguments: [GGMLType.q8_0, .q4_0], [32, 96, 2080, 4096])
    func matvecRowsMatchIntegerReference(type: GGMLType, n: Int) {
        let rows = 7
        let w = ConversionKernelTests.randomFloats(n * rows, seed: 500 + UInt64(n), scale: 3)
        let x = ConversionKernelTests.randomFloats(n, seed: 501 + UInt64(n), scale: 2)
        let rowBytes = type.byteCount(elements: n)!
        var wb = [UInt8](repeating: 0, count: rowBytes * rows)
        var xb = [UInt8](repeating: 0, count: GGMLType.q8_0.byteCount(elements: n)!)
        type.encode(w, count: n * rows, into: &wb)
        GGMLType.q8_0.encode(x, count: n, into: &xb)
        var y = [Float](repeating: .nan, count: rows)
        wb.withUnsafeBytes { wp in xb.withUnsafeBytes { xp in x.withUnsafeBufferPointer { xf in
            gk_matvec_rows(Int32(type.rawValue), wp.baseAddress, Int64(n), xf.baseAddress, xp.baseAddress, &y, 1, Int64(rows))
        } } }
        #expect(y[0].isNaN, "row 0 is outside [1, rows) and must not be written")
        for r in 1..<rows {
            let expected = wb.withUnsafeBytes { Self.reference(type, UnsafeRawBufferPointer(rebasing: $0[(r * rowBytes)...]), xb, n: n) }
            #expect(abs(Double(y[r]) - expected.value) <= 1e-6 * max(1, expected.magnitude), "\(type) n=\(n) row \(r): \(y[r]) vs \(expected)")
        }
    }
}
