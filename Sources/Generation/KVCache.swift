import TensorCore

/// Element type of the cached keys and values.
public enum KVType: String, Sendable, CaseIterable {
    case f32, f16

    var ggml: GGMLType { self == .f32 ? .f32 : .f16 }
    var elementSize: Int { self == .f32 ? 4 : 2 }
}

/// Keys and values of every layer for positions 0..<count, preallocated for the whole context.
/// Rows are (position, width) per layer, width = n_head * head_dim. Truncating keeps a prefix
/// (e.g. a few-shot prompt) so it can be extended again without recomputing it.
public final class KVCache: @unchecked Sendable {
    public let layers: Int
    public let capacity: Int
    public let width: Int
    public let type: KVType
    /// Positions filled so far.
    public private(set) var count = 0
    private let keys: [UnsafeMutableRawPointer]
    private let values: [UnsafeMutableRawPointer]

    public init(layers: Int, capacity: Int, width: Int, type: KVType) {
        self.layers = layers
        self.capacity = capacity
        self.width = width
        self.type = type
        let bytes = capacity * width * type.elementSize
        keys = (0..<layers).map { _ in UnsafeMutableRawPointer.allocate(byteCount: max(1, bytes), alignment: 64) }
        values = (0..<layers).map { _ in UnsafeMutableRawPointer.allocate(byteCount: max(1, bytes), alignment: 64) }
    }

    deinit {
        keys.forEach { $0.deallocate() }
        values.forEach { $0.deallocate() }
    }

    /// Bytes held by the cache.
    public var byteCount: Int { 2 * layers * capacity * width * type.elementSize }

    /// Stores one position's key and value rows (f32, `width` each) for a layer.
    public func store(layer: Int, position: Int, key: UnsafePointer<Float>, value: UnsafePointer<Float>) {
        precondition(position < capacity)
        let offset = position * width * type.elementSize
        type.ggml.encode(key, count: width, into: keys[layer] + offset)
        type.ggml.encode(value, count: width, into: values[layer] + offset)
    }

    /// Start of a layer's key rows / value rows (stride `width` elements per position).
    public func keyRows(layer: Int) -> UnsafeRawPointer { UnsafeRawPointer(keys[layer]) }
    public func valueRows(layer: Int) -> UnsafeRawPointer { UnsafeRawPointer(values[layer]) }

    /// Marks positions [count, count + n) as filled after a forward pass wrote them.
    public func advance(by n: Int) {
        precondition(count + n <= capacity)
        count += n
    }

    /// Copies the first `length` positions of another cache of the same shape and makes them this cache's content.
    public func copyPrefix(from other: KVCache, length: Int) {
        precondition(other.layers == layers && other.width == width && other.type == type && length <= other.count && length <= capacity)
        let bytes = length * width * type.elementSize
        for l in 0..<layers {
            keys[l].copyMemory(from: other.keys[l], byteCount: bytes)
            values[l].copyMemory(from: other.values[l], byteCount: bytes)
        }
        count = length
    }

    /// Forgets positions at and after `length` (keeps the prefix).
    public func truncate(to length: Int) {
        count = min(count, max(0, length))
    }
}
