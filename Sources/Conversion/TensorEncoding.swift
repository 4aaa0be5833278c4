import GGUF
import TensorCore

/// Streams a source tensor into a GGUF output as `type`, a slice of rows at a time, so converting a
/// 24 GB checkpoint holds only a few MB of it in memory.
enum TensorEncoding {
    static func write(_ src: SourceTensor, as type: GGMLType, to out: GGUFOutput) throws {
        let cols = src.shape.last ?? 1
        let rows = max(1, src.elementCount / max(1, cols))
        let same = (type == .f32 && src.dtype == .f32) || (type == .f16 && src.dtype == .f16) || (type == .bf16 && src.dtype == .bf16)
        if same {
            // bitwise copy: no rounding, no reinterpretation
            try out.write(src.data)
            return
        }
        guard let sourceType = sourceGGMLType(src.dtype) else {
            throw ConversionError.unsupportedDType(path: src.file.path, tensor: src.name, dtype: src.dtype.rawValue)
        }
        let group = type.rowGroup
        let rowsPerChunk = max(group, (1 << 20) / max(1, cols) / group * group)
        let inRowBytes = cols * src.dtype.elementSize
        let outRowBytes = type.byteCount(elements: cols) ?? 0
        let raw = UnsafeMutableRawPointer.allocate(byteCount: rowsPerChunk * inRowBytes, alignment: 64)
        let floats = UnsafeMutablePointer<Float>.allocate(capacity: rowsPerChunk * cols)
        var encoded = [UInt8](repeating: 0, count: rowsPerChunk * outRowBytes)
        defer { raw.deallocate(); floats.deallocate() }
        var r = 0
        while r < rows {
            let n = min(rowsPerChunk, rows - r)
            guard let base = src.data.baseAddress else { return }
            raw.copyMemory(from: base + r * inRowBytes, byteCount: n * inRowBytes)  // source may be unaligned
            sourceType.decode(raw, count: n * cols, into: floats)
            encoded.withUnsafeMutableBytes { dst in
                guard let d = dst.baseAddress else { return }
                type.encode(floats, rows: n, cols: cols, into: d)
            }
            try encoded.withUnsafeBytes { try out.write(UnsafeRawBufferPointer(rebasing: $0[0..<(n * outRowBytes)])) }
            r += n
        }
    }

    static func sourceGGMLType(_ d: SourceDType) -> GGMLType? {
        switch d {
        case .f32: return .f32
        case .f16: return .f16
        case .bf16: return .bf16
        default: return nil
        }
    }

    /// The type a tensor is stored as: matrices take the requested type (when their rows fit its blocks,
    /// else f16, as llama.cpp falls back; an interleaved type becomes its plain one when the rows do not
    /// fill its groups); 1-D norms and biases stay f32.
    static func storageType(shape: [Int], requested: GGMLType) -> GGMLType {
        guard shape.count >= 2 else { return .f32 }
        if requested.isQuantized, (shape.last ?? 0) % requested.blockSize != 0 { return .f16 }
        if shape.dropLast().reduce(1, *) % requested.rowGroup != 0 { return requested.ungrouped }
        return requested
    }
}
