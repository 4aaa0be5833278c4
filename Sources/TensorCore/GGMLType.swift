import CKernels

/// Tensor element types Glimpse reads and writes, with ggml's type ids and block layouts.
public enum GGMLType: UInt32, Sendable, CaseIterable, CustomStringConvertible {
    case f32 = 0
    case f16 = 1
    case q4_0 = 2
    case q8_0 = 8
    case bf16 = 30
    /// Glimpse's own type (not ggml's): Q4_0 blocks with 8 rows interleaved, for faster decode (CKernels'
    /// interleaved.c). Matrices only, with rows in whole groups of 8.
    case q4_0x8 = 4002
    /// The same for Q8_0.
    case q8_0x8 = 4008

    /// Elements per block (1 for float types, 32 for Q8_0/Q4_0).
    public var blockSize: Int {
        switch self {
        case .f32, .f16, .bf16: return 1
        case .q8_0, .q4_0, .q4_0x8, .q8_0x8: return 32
        }
    }

    /// Bytes per block: Q8_0 = fp16 scale + 32 int8; Q4_0 = fp16 scale + 16 bytes of nibbles.
    public var bytesPerBlock: Int {
        switch self {
        case .f32: return 4
        case .f16, .bf16: return 2
        case .q8_0, .q8_0x8: return 34
        case .q4_0, .q4_0x8: return 18
        }
    }

    /// Rows stored together (8 for the interleaved types, else 1): a tensor's rows must be a whole number of groups.
    public var rowGroup: Int { ungrouped == self ? 1 : 8 }

    /// The type a matrix whose rows do not fill this type's groups is stored as instead (the plain type of an
    /// interleaved one).
    public var ungrouped: GGMLType {
        switch self {
        case .q4_0x8: return .q4_0
        case .q8_0x8: return .q8_0
        default: return self
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
        case .q4_0x8: return "q4_0x8"
        case .q8_0x8: return "q8_0x8"
        }
    }

    /// Every type's name, for help text and errors ("f32, f16, ...").
    public static var choices: String { allCases.map(\.description).joined(separator: ", ") }

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
        case .q4_0x8, .q8_0x8: return rawValue  // no llama.cpp file type: Glimpse's own, as the tensor type
        }
    }

    var kernelID: Int32 { Int32(rawValue) }
}

extension GGMLType {
    /// Converts `rows` rows of `cols` f32 values (row-major) into this type's bytes at `out`. cols must be a
    /// multiple of blockSize, rows of rowGroup.
    public func encode(_ x: UnsafePointer<Float>, rows: Int, cols: Int, into out: UnsafeMutableRawPointer) {
        precondition(rows % rowGroup == 0 && cols % blockSize == 0, "\(rows) x \(cols) does not fit \(self)'s blocks")
        let count = rows * cols
        switch self {
        case .f32: out.copyMemory(from: x, byteCount: count * 4)
        case .f16: gk_to_f16(x, out.assumingMemoryBound(to: UInt16.self), Int64(count))
        case .bf16: gk_to_bf16(x, out.assumingMemoryBound(to: UInt16.self), Int64(count))
        case .q8_0: gk_quantize_q8_0(x, out, Int64(count))
        case .q4_0: gk_quantize_q4_0(x, out, Int64(count))
        case .q4_0x8: gk_quantize_q4_0_x8(x, out, Int64(rows), Int64(cols))
        case .q8_0x8: gk_quantize_q8_0_x8(x, out, Int64(rows), Int64(cols))
        }
    }

    /// Converts `count` f32 values into this type's bytes at `out`, as one row (a type of single rows).
    public func encode(_ x: UnsafePointer<Float>, count: Int, into out: UnsafeMutableRawPointer) {
        encode(x, rows: 1, cols: count, into: out)
    }

    /// Converts rows [r0, r1) of a (rows, cols) tensor of this type at `data` to f32 (row-major).
    public func decode(_ data: UnsafeRawPointer, cols: Int, rows r: Range<Int>, into out: UnsafeMutablePointer<Float>) {
        gk_dequantize_rows(kernelID, data, Int64(cols), out, Int64(r.lowerBound), Int64(r.upperBound))
    }

    /// Converts `count` elements of this type at `data`, as one row, to f32.
    public func decode(_ data: UnsafeRawPointer, count: Int, into out: UnsafeMutablePointer<Float>) {
        decode(data, cols: count, rows: 0..<1, into: out)
    }
}
