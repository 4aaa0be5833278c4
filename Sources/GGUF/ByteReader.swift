/// A bounds-checked little-endian cursor over GGUF header bytes. Every length read from the file
/// is checked against what remains before anything is allocated for it.
struct ByteReader {
    let buffer: UnsafeRawBufferPointer
    let path: String
    private(set) var position = 0

    init(buffer: UnsafeRawBufferPointer, path: String) {
        self.buffer = buffer
        self.path = path
    }

    var remaining: Int { buffer.count - position }

    private mutating func take(_ n: Int, _ what: String) throws -> UnsafeRawBufferPointer {
        guard n >= 0, n <= remaining else { throw GGUFError.truncated(path: path, what: "file ends inside \(what)") }
        defer { position += n }
        return UnsafeRawBufferPointer(rebasing: buffer[position..<(position + n)])
    }

    private mutating func scalar<T: FixedWidthInteger>(_: T.Type, _ what: String) throws -> T {
        let b = try take(MemoryLayout<T>.size, what)
        return T(littleEndian: b.loadUnaligned(as: T.self))
    }

    mutating func u8(_ what: String) throws -> UInt8 { try scalar(UInt8.self, what) }
    mutating func u16(_ what: String) throws -> UInt16 { try scalar(UInt16.self, what) }
    mutating func u32(_ what: String) throws -> UInt32 { try scalar(UInt32.self, what) }
    mutating func u64(_ what: String) throws -> UInt64 { try scalar(UInt64.self, what) }

    mutating func string(_ what: String) throws -> String {
        let n = try u64("length of \(what)")
        guard n <= UInt64(remaining) else { throw GGUFError.truncated(path: path, what: "\(what) of length \(n) runs past the end of the file") }
        let bytes = try take(Int(n), what)
        guard let s = String(validating: bytes, as: UTF8.self) else {
            throw GGUFError.malformed(path: path, what: "\(what) is not valid UTF-8")
        }
        return s
    }

    mutating func value(key: String) throws -> GGUFValue {
        let t = try u32("type of '\(key)'")
        guard let type = GGUFValueType(rawValue: t) else {
            throw GGUFError.malformed(path: path, what: "metadata '\(key)' has unknown value type \(t)")
        }
        return try value(type: type, key: key, depth: 0)
    }

    private mutating func value(type: GGUFValueType, key: String, depth: Int) throws -> GGUFValue {
        let what = "value of '\(key)'"
        switch type {
        case .uint8: return .uint8(try u8(what))
        case .int8: return .int8(Int8(bitPattern: try u8(what)))
        case .uint16: return .uint16(try u16(what))
        case .int16: return .int16(Int16(bitPattern: try u16(what)))
        case .uint32: return .uint32(try u32(what))
        case .int32: return .int32(Int32(bitPattern: try u32(what)))
        case .float32: return .float32(Float(bitPattern: try u32(what)))
        case .uint64: return .uint64(try u64(what))
        case .int64: return .int64(Int64(bitPattern: try u64(what)))
        case .float64: return .float64(Double(bitPattern: try u64(what)))
        case .bool:
            let b = try u8(what)
            guard b <= 1 else { throw GGUFError.malformed(path: path, what: "metadata '\(key)' has bool value \(b)") }
            return .bool(b == 1)
        case .string: return .string(try string(what))
        case .array:
            guard depth < 4 else { throw GGUFError.malformed(path: path, what: "metadata '\(key)' nests arrays too deeply") }
            let et = try u32("array type of '\(key)'")
            guard let elementType = GGUFValueType(rawValue: et) else {
                throw GGUFError.malformed(path: path, what: "metadata '\(key)' has unknown array type \(et)")
            }
            let n = try u64("array length of '\(key)'")
            // strings take >= 8 bytes each, arrays >= 12: never allocate for more items than the file holds
            let minSize = UInt64(elementType.scalarSize ?? 8)
            guard n <= UInt64(remaining) / minSize else {
                throw GGUFError.truncated(path: path, what: "array '\(key)' of \(n) items runs past the end of the file")
            }
            var items: [GGUFValue] = []
            items.reserveCapacity(Int(n))
            for _ in 0..<Int(n) { items.append(try value(type: elementType, key: key, depth: depth + 1)) }
            return .array(elementType, items)
        }
    }
}
