import CKernels
import Foundation
import Testing
@testable import TensorCore

/// GELU, attention and the dequantized weight tiles of prefill: the dispatched kernels (AVX2 here, or
/// portable under GLIMPSE_KERNELS=portable) against references computed in doubles or by the portable code.
struct ActivationKernelTests {
    /// transformers' gelu_new in doubles.
    static func geluReference(_ v: Double) -> Double {
        0.5 * v * (1 + tanh((2 / Double.pi).squareRoot() * (v + 0.044715 * v * v * v)))
    }

    @Test func geluNewMatchesTheTanhFormula() {
        var x = ConversionKernelTests.randomFloats(40_000, seed: 11, scale: 12)
        x += [0, -0, 1e-6, -1e-6, 3, -3, 5.5, -5.5, 9, -9, 20, -20, 87, -87, 1000, -1000, 1e20, -1e20]
        x += (0..<37).map { Float($0) * 0.1 }   // a length that is not a multiple of 8: the scalar tail too
        var y = x
        gk_gelu_new(&y, Int64(y.count))
        var worst = 0.0
        for (v, got) in zip(x, y) {
            let want = Self.geluReference(Double(v))
            // relative to the input's size: the result is v * (something in [0, 1])
            worst = max(worst, abs(Double(got) - want) / max(1e-30, abs(Double(v))))
        }
        #expect(worst <= 1e-6, "max |gelu - reference| / |v| = \(worst)")
        if let i = x.firstIndex(of: -1000) { #expect(abs(y[i]) < 1e-30, "gelu(-1000) = \(y[i])") }
    }

    /// The pool splits a long activation into chunks; the result equals one call over the whole.
    @Test func geluNewSplitOverThePoolEqualsOneCall() {
        let x = ConversionKernelTests.randomFloats(3 * 65_536 + 13, seed: 12, scale: 6)
        var whole = x, split = x
        gk_gelu_new(&whole, Int64(whole.count))
        split.withUnsafeMutableBufferPointer { Activations.geluNew($0.baseAddress!, count: $0.count, pool: LinearTests.pool) }
        let differing = zip(whole, split).filter { $0.0.bitPattern != $0.1.bitPattern }.count
        #expect(differing == 0, "\(differing) of \(whole.count) values differ")
    }

    /// Causal attention of one query over an f16 and an f32 cache against doubles.
    @Test(arguments: [GGMLType.f16, .f32], [1, 7, 130])
    func attentionMatchesReference(cache: GGMLType, positions: Int) {
        let headDim = 36, stride = 3 * headDim   // other heads' columns lie between rows
        let q = ConversionKernelTests.randomFloats(headDim, seed: 21, scale: 2)
        var k = ConversionKernelTests.randomFloats(positions * stride, seed: 22, scale: 2)
        var v = ConversionKernelTests.randomFloats(positions * stride, seed: 23, scale: 3)
        if cache == .f16 {   // the reference sees the values the cache holds
            k = k.map { Float(Float16($0)) }
            v = v.map { Float(Float16($0)) }
        }
        let scale = 1 / Float(headDim).squareRoot()
        var scores = [Double](repeating: 0, count: positions)
        for j in 0..<positions {
            scores[j] = (0..<headDim).reduce(0.0) { $0 + Double(q[$1]) * Double(k[j * stride + $1]) } * Double(scale)
        }
        let m = scores.max() ?? 0
        let e = scores.map { exp($0 - m) }
        let sum = e.reduce(0, +)
        let want = (0..<headDim).map { d in (0..<positions).reduce(0.0) { $0 + e[$1] / sum * Double(v[$1 * stride + d]) } }
        var out = [Float](repeating: .nan, count: headDim)
        var scratch = [Float](repeating: 0, count: positions)
        func encoded(_ a: [Float]) -> [UInt8] {
            var b = [UInt8](repeating: 0, count: cache.byteCount(elements: a.count)!)
            cache.encode(a, count: a.count, into: &b)
            return b
        }
        let kb = encoded(k), vb = encoded(v)
        kb.withUnsafeBytes { kp in vb.withUnsafeBytes { vp in
            gk_attend(q, kp.baseAddress, vp.baseAddress, Int32(cache.rawValue), Int64(stride), Int64(positions),
                      Int64(headDim), scale, &scratch, &out)
        } }
        let worst = zip(out, want).map { abs(Double($0) - $1) }.max() ?? .infinity
        #expect(worst <= 1e-5, "\(cache) positions=\(positions): max error \(worst)")
    }

    /// bench's bandwidth probe reads every whole 8-byte word: its fold is their XOR (SIMD body and scalar tail;
    /// a partial last word is not read).
    @Test func bandwidthProbeFoldsEveryWord() {
        var state: UInt64 = 0x1234_5678_9ABC_DEF1
        let words = (0..<1001).map { _ in
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            return state
        }
        for count in [0, 1, 15, 16, 17, 999, 1000] {
            let got = words.withUnsafeBytes { gk_touch_bytes($0.baseAddress, Int64(count * 8 + 5)) }
            #expect(got == words[0..<count].reduce(0, ^), "\(count) words")
        }
    }

    /// Prefill's sgemm tiles: the dispatched row dequantization gives exactly gk_dequantize's values.
    @Test(arguments: [GGMLType.q8_0, .q4_0, .f16, .bf16])
    func dequantizedTilesEqualThePortableDecoder(type: GGMLType) {
        let rows = 9, cols = 96
        let w = ConversionKernelTests.randomFloats(rows * cols, seed: 31, scale: 5)
        let rowBytes = type.byteCount(elements: cols)!
        var wb = [UInt8](repeating: 0, count: rows * rowBytes)
        type.encode(w, count: rows * cols, into: &wb)
        var tile = [Float](repeating: .nan, count: (rows - 3) * cols)
        var want = [Float](repeating: .nan, count: rows * cols)
        wb.withUnsafeBytes { p in
            gk_dequantize_rows(Int32(type.rawValue), p.baseAddress, Int64(cols), &tile, 2, Int64(rows - 1))
            _ = gk_dequantize(Int32(type.rawValue), p.baseAddress, &want, Int64(rows * cols))
        }
        #expect(tile == Array(want[(2 * cols)..<((rows - 1) * cols)]))
    }
}
