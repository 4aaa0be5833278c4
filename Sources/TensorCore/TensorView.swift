/// A non-owning view of tensor bytes (usually inside a memory-mapped model file).
/// `owner` keeps the underlying storage alive for as long as the view exists.
public struct TensorView: @unchecked Sendable {
    public let name: String
    public let type: GGMLType
    /// Outermost dimension first (PyTorch order): a Linear weight is (outFeatures, inFeatures).
    public let shape: [Int]
    public let data: UnsafeRawPointer
    public let byteCount: Int
    public let owner: AnyObject?

    public init(name: String, type: GGMLType, shape: [Int], data: UnsafeRawPointer, byteCount: Int, owner: AnyObject?) {
        self.name = name
        self.type = type
        self.shape = shape
        self.data = data
        self.byteCount = byteCount
        self.owner = owner
    }

    public var elementCount: Int { shape.reduce(1, *) }
    /// Length of the innermost dimension.
    public var cols: Int { shape.last ?? 1 }
    /// Product of all outer dimensions.
    public var rows: Int { shape.dropLast().reduce(1, *) }
    /// Bytes of one row of `cols` elements (rows of the interleaved types lie in groups of 8 of 8 x rowBytes).
    public var rowBytes: Int { cols / type.blockSize * type.bytesPerBlock }

    /// Row r as f32 into out (cols floats).
    public func decodeRow(_ r: Int, into out: UnsafeMutablePointer<Float>) {
        type.decode(data, cols: cols, rows: r..<(r + 1), into: out)
    }

    /// The whole tensor as f32 (for small tensors: norms, biases).
    public func floats() -> [Float] {
        [Float](unsafeUninitializedCapacity: elementCount) { buf, n in
            if let base = buf.baseAddress { type.decode(data, cols: cols, rows: 0..<rows, into: base) }
            n = elementCount
        }
    }
}
