import Generation
import Testing

/// The cache's head-major layout: each head's rows of one layer are contiguous, position after position.
struct KVCacheTests {
    static let heads = 3, headDimension = 4, width = 12

    /// A row whose element (head h, dim j) encodes layer, position, head and dim.
    static func row(layer: Int, position: Int, salt: Float) -> [Float] {
        (0..<width).map { Float(layer * 1000 + position * 100 + ($0 / headDimension) * 10 + $0 % headDimension) + salt }
    }

    static func filled(type: KVType, positions: Int) -> KVCache {
        let cache = KVCache(layers: 2, capacity: 8, heads: heads, headDimension: headDimension, type: type)
        for layer in 0..<2 {
            for p in 0..<positions {
                row(layer: layer, position: p, salt: 0).withUnsafeBufferPointer { k in
                    row(layer: layer, position: p, salt: 0.5).withUnsafeBufferPointer { v in
                        cache.store(layer: layer, position: p, key: k.baseAddress!, value: v.baseAddress!)
                    }
                }
            }
        }
        cache.advance(by: positions)
        return cache
    }

    /// positions * head_dim f32 values from one head's rows.
    static func read(_ rows: UnsafeRawPointer, positions: Int) -> [Float] {
        Array(UnsafeBufferPointer(start: rows.assumingMemoryBound(to: Float.self), count: positions * headDimension))
    }

    static func expected(layer: Int, head: Int, positions: Int, salt: Float) -> [Float] {
        (0..<positions).flatMap { p in
            (0..<headDimension).map { Float(layer * 1000 + p * 100 + head * 10 + $0) + salt }
        }
    }

    /// Every head's first `positions` key and value rows, in every layer, hold what `filled` stored.
    static func expectStoredRows(_ cache: KVCache, positions: Int) {
        for layer in 0..<2 {
            for head in 0..<heads {
                #expect(read(cache.keyRows(layer: layer, head: head), positions: positions)
                    == expected(layer: layer, head: head, positions: positions, salt: 0))
                #expect(read(cache.valueRows(layer: layer, head: head), positions: positions)
                    == expected(layer: layer, head: head, positions: positions, salt: 0.5))
            }
        }
    }

    @Test func eachHeadsRowsAreContiguous() {
        let cache = Self.filled(type: .f32, positions: 5)
        Self.expectStoredRows(cache, positions: 5)
        #expect(cache.byteCount == 2 * 2 * 8 * Self.width * 4)
    }

    @Test func copyPrefixCopiesEveryHeadsPrefix() {
        let source = Self.filled(type: .f32, positions: 6)
        // a larger capacity: each head's rows start at another offset than in the source
        let copy = KVCache(layers: 2, capacity: 11, heads: Self.heads, headDimension: Self.headDimension, type: .f32)
        copy.copyPrefix(from: source, length: 4)
        #expect(copy.count == 4)
        Self.expectStoredRows(copy, positions: 4)
    }

    @Test func f16RowsHoldTheSameValues() {
        // every value here (integers below 2048, plus 0.5) is exact in f16
        let cache = Self.filled(type: .f16, positions: 3)
        let rows = cache.keyRows(layer: 1, head: 2).assumingMemoryBound(to: Float16.self)
        let values = (0..<(3 * Self.headDimension)).map { Float(rows[$0]) }
        #expect(values == Self.expected(layer: 1, head: 2, positions: 3, salt: 0))
    }
}
