import TensorCore

/// Element type of the cached keys and values.
public enum KVType: String, Sendable, CaseIterable {
    case f32, f16

    var ggml: GGMLType { self == .f32 ? .f32 : .f16 }
    var elementSize: Int { self == .f32 ? 4 : 2 }
}

/// Keys and values of every layer for positions 0..<count, preallocated for the whole context.
/// Each layer holds its heads one after another, each head's rows (position, head_dim) contiguous: a decoding
/// step reads one head's keys as one stream. Rows of all heads side by side (stride n_head * head_dim) made it
/// read 512 bytes per 8 KB, and the hardware prefetcher did not follow. Truncating keeps a prefix (e.g. a
/// few-shot prompt) so it can be extended again without recomputing it.
public final class KVCache: @unchecked Sendable {
    public let layers: Int
    public let capacity: Int
    public let heads: Int
    public let headDimension: Int
    public let type: KVType
    /// Positions filled so far.
    public private(set) var count = 0
    private let keys: [UnsafeMutableRawPointer]
    private let values: [UnsafeMutableRawPointer]

    public init(layers: Int, capacity: Int, heads: Int, headDimension: Int, type: KVType) {
        self.layers = layers
        self.capacity = capacity
        self.heads = heads
        self.headDimension = headDimension
        self.type = type
        let bytes = heads * capacity * headDimension * type.elementSize
        keys = (0..<layers).map { _ in UnsafeMutableRawPointer.allocate(byteCount: max(1, bytes), alignment: 64) }
        values = (0..<layers).map { _ in UnsafeMutableRawPointer.allocate(byteCount: max(1, bytes), alignment: 64) }
    }

    deinit {
        keys.forEach { $0.deallocate() }
        values.forEach { $0.deallocate() }
    }

    /// Bytes held by the cache.
    public var byteCount: Int { 2 * layers * heads * capacity * headDimension * type.elementSize }

    /// Bytes from one head's rows to the next head's.
    private var headBytes: Int { capacity * headDimension * type.elementSize }

    /// Stores one position's key and value rows (f32, heads * head_dim each, head after head) for a layer.
    public func store(layer: Int, position: Int, key: UnsafePointer<Float>, value: UnsafePointer<Float>) {
        precondition(position < capacity)
        let row = position * headDimension * type.elementSize
        for head in 0..<heads {
            let offset = head * headBytes + row
            type.ggml.encode(key + head * headDimension, count: headDimension, into: keys[layer] + offset)
            type.ggml.encode(value + head * headDimension, count: headDimension, into: values[layer] + offset)
        }
    }

    /// Start of one head's key rows / value rows in a layer (stride head_dim elements per position).
    public func keyRows(layer: Int, head: Int) -> UnsafeRawPointer { UnsafeRawPointer(keys[layer] + head * headBytes) }
    public func valueRows(layer: Int, head: Int) -> UnsafeRawPointer { UnsafeRawPointer(values[layer] + head * headBytes) }

    /// Marks positions [count, count + n) as filled after a forward pass wrote them.
    public func advance(by n: Int) {
        precondition(count + n <= capacity)
        count += n
    }

    /// Copies the first `length` positions of another cache of the same shape and makes them this cache's content.
    public func copyPrefix(from other: KVCache, length: Int) {
        precondition(other.layers == layers && other.heads == heads && other.headDimension == headDimension
            && other.type == type && length <= other.count && length <= capacity)
        let bytes = length * headDimension * type.elementSize
        for l in 0..<layers {
            for head in 0..<heads {
                let to = head * headBytes, from = head * other.headBytes
                keys[l].advanced(by: to).copyMemory(from: other.keys[l] + from, byteCount: bytes)
                values[l].advanced(by: to).copyMemory(from: other.values[l] + from, byteCount: bytes)
            }
        }
        count = length
    }

    /// Forgets positions at and after `length` (keeps the prefix).
    public func truncate(to length: Int) {
        count = min(count, max(0, length))
    }
}
