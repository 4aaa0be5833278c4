#if canImport(GGUF)
import GGUF
#endif

/// Element type of a tensor as stored in a source checkpoint (safetensors or torch.save).
public enum SourceDType: String, Sendable, CaseIterable {
    case f32, f16, bf16, f64, i64, i32, i16, i8, u8, bool

    /// Bytes per element.
    public var elementSize: Int {
        switch self {
        case .f64, .i64: return 8
        case .f32, .i32: return 4
        case .f16, .bf16, .i16: return 2
        case .i8, .u8, .bool: return 1
        }
    }

    /// True for the floating-point types.
    public var isFloatingPoint: Bool {
        switch self {
        case .f32, .f16, .bf16, .f64: return true
        default: return false
        }
    }
}

/// One tensor found in a checkpoint: metadata plus a view of its bytes inside a memory mapping.
///
/// `data` holds `shape.product * dtype.elementSize` bytes in C (row-major) order, little-endian.
/// It may be unaligned (safetensors does not align tensors), so read it with `loadUnaligned`.
/// `file` keeps the mapping alive; `data` is valid as long as this value (or the file) exists.
public struct SourceTensor: @unchecked Sendable {
    /// Tensor name (state-dict key; nested dicts are joined with ".").
    public let name: String
    /// Element type.
    public let dtype: SourceDType
    /// Dimensions, outermost first (PyTorch order). Empty for a 0-dim (scalar) tensor.
    public let shape: [Int]
    /// Contiguous C-order little-endian element bytes inside `file`'s mapping.
    public let data: UnsafeRawBufferPointer
    /// The mapping that owns `data`.
    public let file: MappedFile

    /// Creates a tensor record; readers validate `data.count` against `shape` and `dtype` first.
    public init(name: String, dtype: SourceDType, shape: [Int], data: UnsafeRawBufferPointer, file: MappedFile) {
        self.name = name
        self.dtype = dtype
        self.shape = shape
        self.data = data
        self.file = file
    }

    /// Number of elements (1 for a 0-dim tensor). Readers guarantee this does not overflow.
    public var elementCount: Int { shape.reduce(1, *) }

    /// The elements converted to Float (lossy for f64/i64). Meant for small tensors and tests.
    public func floats() throws -> [Float] {
        try doubles().map { Float($0) }
    }

    /// The elements converted to Double (exact for every dtype except i64 beyond 2^53).
    /// Meant for small tensors and tests.
    public func doubles() throws -> [Double] {
        try checkSize()
        return (0..<elementCount).map { i in
            switch dtype {
            case .f32: return Double(Float(bitPattern: UInt32(littleEndian: data.loadUnaligned(fromByteOffset: i * 4, as: UInt32.self))))
            case .f16: return Double(sourceHalfToFloat(UInt16(littleEndian: data.loadUnaligned(fromByteOffset: i * 2, as: UInt16.self))))
            case .bf16:
                let bits = UInt16(littleEndian: data.loadUnaligned(fromByteOffset: i * 2, as: UInt16.self))
                return Double(Float(bitPattern: UInt32(bits) << 16))
            case .f64: return Double(bitPattern: UInt64(littleEndian: data.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self)))
            default: return Double(integerElement(i))
            }
        }
    }

    /// The elements of an integer or bool tensor as Int64 (bool: 0/1). Meant for small tensors and tests.
    public func integers() throws -> [Int64] {
        try checkSize()
        guard !dtype.isFloatingPoint else {
            throw CheckpointError.unsupported(file: file.path, reason: "tensor '\(name)' has floating-point dtype \(dtype.rawValue), not integer")
        }
        return (0..<elementCount).map { integerElement($0) }
    }

    private func integerElement(_ i: Int) -> Int64 {
        switch dtype {
        case .i64: return Int64(littleEndian: data.loadUnaligned(fromByteOffset: i * 8, as: Int64.self))
        case .i32: return Int64(Int32(littleEndian: data.loadUnaligned(fromByteOffset: i * 4, as: Int32.self)))
        case .i16: return Int64(Int16(littleEndian: data.loadUnaligned(fromByteOffset: i * 2, as: Int16.self)))
        case .i8: return Int64(data.loadUnaligned(fromByteOffset: i, as: Int8.self))
        case .u8: return Int64(data[i])
        case .bool: return data[i] != 0 ? 1 : 0
        case .f32, .f16, .bf16, .f64: return 0  // callers handle floats separately
        }
    }

    /// Guards the element accessors against a hand-built record whose buffer is too small.
    private func checkSize() throws {
        guard let bytes = CheckedMath.byteCount(shape: shape, elementSize: dtype.elementSize) else {
            throw CheckpointError.unsupported(file: file.path, reason: "tensor '\(name)' shape \(shape) is too large")
        }
        guard bytes == data.count else {
            throw CheckpointError.sizeMismatch(file: file.path, tensor: name, expected: bytes, actual: data.count)
        }
    }
}

/// IEEE 754 binary16 -> binary32, done by hand so it works on every platform.
private func sourceHalfToFloat(_ h: UInt16) -> Float {
    let sign = UInt32(h & 0x8000) << 16
    let exponent = Int(h >> 10) & 0x1F
    let mantissa = UInt32(h & 0x3FF)
    if exponent == 0x1F {
        return Float(bitPattern: sign | 0x7F80_0000 | (mantissa << 13))  // inf / NaN
    }
    if exponent == 0 {
        // Zero or subnormal: value = mantissa * 2^-24.
        let magnitude = Float(mantissa) * Float(sign: .plus, exponent: -24, significand: 1)
        return sign != 0 ? -magnitude : magnitude
    }
    return Float(bitPattern: sign | (UInt32(exponent + 112) << 23) | (mantissa << 13))
}
