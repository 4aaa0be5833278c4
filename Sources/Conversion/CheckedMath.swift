/// Overflow-checked arithmetic and bounds-checked little-endian loads for parsing untrusted files.
/// Every helper returns nil instead of trapping, so callers turn lies in a file into errors.
enum CheckedMath {
    /// a + b, or nil on overflow.
    static func add(_ a: Int, _ b: Int) -> Int? {
        let (r, o) = a.addingReportingOverflow(b)
        return o ? nil : r
    }

    /// a * b, or nil on overflow.
    static func mul(_ a: Int, _ b: Int) -> Int? {
        let (r, o) = a.multipliedReportingOverflow(by: b)
        return o ? nil : r
    }

    /// Product of non-negative dimensions, or nil on overflow or a negative dimension.
    static func elementCount(_ shape: [Int]) -> Int? {
        var n = 1
        for d in shape {
            guard d >= 0, let next = mul(n, d) else { return nil }
            n = next
        }
        return n
    }

    /// Bytes needed by a tensor of this shape and element size, or nil on overflow.
    static func byteCount(shape: [Int], elementSize: Int) -> Int? {
        guard let n = elementCount(shape) else { return nil }
        return mul(n, elementSize)
    }

    /// UInt64 -> Int, or nil if it does not fit.
    static func int(_ v: UInt64) -> Int? {
        v <= UInt64(Int.max) ? Int(v) : nil
    }
}

/// Bounds-checked little-endian reads from a raw buffer.
struct CheckpointBytes {
    let bytes: UnsafeRawBufferPointer

    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    var count: Int { bytes.count }

    /// True if [offset, offset+length) lies inside the buffer (no overflow).
    func contains(offset: Int, length: Int) -> Bool {
        offset >= 0 && length >= 0 && offset <= bytes.count && length <= bytes.count - offset
    }

    func u8(_ offset: Int) -> UInt8? {
        contains(offset: offset, length: 1) ? bytes[offset] : nil
    }

    func u16(_ offset: Int) -> UInt16? {
        guard contains(offset: offset, length: 2) else { return nil }
        return UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt16.self))
    }

    func u32(_ offset: Int) -> UInt32? {
        guard contains(offset: offset, length: 4) else { return nil }
        return UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    func u64(_ offset: Int) -> UInt64? {
        guard contains(offset: offset, length: 8) else { return nil }
        return UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    /// A sub-buffer, or nil if out of range.
    func slice(_ offset: Int, _ length: Int) -> UnsafeRawBufferPointer? {
        guard contains(offset: offset, length: length) else { return nil }
        return UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + length)])
    }
}
