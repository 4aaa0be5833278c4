import CKernels

/// Tensor element types Glimpse reads and writes, with ggml's type ids and block layouts.
public enum GGMLType: UInt32, Sendable, CaseIterable, CustomStringConvertible {
    case f32 = 0
    case f16 = 1
    case q4_0 = 2
    case q8_0 = 8
    case bf16 = 30

    /// Elements per block (1 for float types, 32 for Q8_0/Q4_0).
    public var blockSize: Int {
        switch self {
        case .f32, .f16, .bf16: return 1
        case .q8_0, .q4_0: return 32
        }
    }

    /// Bytes per block: Q8_0 = fp16 scale + 32 int8; Q4_0 = fp16 scale + 16 bytes of nibbles.
    public var bytesPerBlock: Int {
        switch self {
        case .f32: return 4
        case .f16, .bf16: return 2
        case .q8_0: return 34
        case .q4_0: return 18
        }
    }

    public var isQuantized: Bool { blockSize > 1 }

    /// Bytes for `count` elements, or nil if `count` is not a whole number of blocks or overflows.
    public func byteCount(elements count: Int) -> Int? {
        guard count >= 0, count % blockSize == 0 else { return nil }
        let (bytes, overflow) = (count / blockSize).multipliedReportingOverflow(by: bytesPerBlock)
        return overflow ? nil : bytes
    }

    /// Lower-case name as used on the command line and in ggml ("q8_0", "f16").
    public var description: String {
        switch self {
        case .f32: return "f32"
        case .f16: return "f16"
        case .bf16: return "bf16"
        case .q8_0: return "q8_0"
        case .q4_0: return "q4_0"
        }
    }

    public init?(name: String) {
        guard let t = GGMLType.allCases.first(where: { $0.description == name.lowercased() }) else { return nil }
        self = t
    }

    /// llama.cpp's `general.file_type` value (LLAMA_FTYPE_*) for a file whose matrices are of this type.
    public var fileType: UInt32 {
        switch self {
        case .f32: return 0
        case .f16: return 1
        case .q4_0: return 2
        case .q8_0: return 7
        case .bf16: return 32
        }
    }

    var kernelID: Int32 { Int32(rawValue) }
}

extension GGMLType {
    /// Converts `count` f32 values into this type's bytes at `out` (count must be a multiple of blockSize).
    public func encode(_ x: UnsafePointer<Float>, count: Int, into out: UnsafeMutableRawPointer) {
        switch self {
        case .f32: out.copyMemory(from: x, byteCount: count * 4)
        case .f16: gk_to_f16(x, out.assumingMemoryBound(to: UInt16.self), Int64(count))
        case .bf16: gk_to_bf16(x, out.assumingMemoryBound(to: UInt16.self), Int64(count))
        case .q8_0: gk_quantize_q8_0(x, out, Int64(count))
        case .q4_0: gk_quantize_q4_0(x, out, Int64(count))
        }
    }

    /// Converts `count` elements of this type at `data` to f32.
    public func decode(_ data: UnsafeRawPointer, count: Int, into out: UnsafeMutablePointer<Float>) {
        _ = gk_dequantize(kernelID, data, out, Int64(count))
    }
}
