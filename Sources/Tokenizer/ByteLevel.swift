/// GPT-2's reversible mapping between the 256 byte values and printable Unicode scalars.
///
/// GPT-2 stores tokens as strings in which every byte is replaced by a visible character
/// (space 0x20 -> "Ġ" U+0120, newline 0x0A -> "Ċ" U+010A), so vocab files never hold raw
/// control bytes or broken UTF-8. Printable Latin-1 bytes map to themselves; the other 68
/// bytes map, in byte order, to U+0100 upwards.
public enum ByteLevel {
    /// The scalar that stands for each byte value, indexed by the byte.
    public static let scalarForByte: [Unicode.Scalar] = {
        var table = [Unicode.Scalar](repeating: "\0", count: 256)
        var next: UInt32 = 256
        for byte in 0..<256 {
            if keepsItself(byte) {
                table[byte] = Unicode.Scalar(UInt8(byte))
            } else {
                // Every value in 256..<324 is a valid scalar; the fallback is unreachable.
                table[byte] = Unicode.Scalar(next) ?? "\0"
                next += 1
            }
        }
        return table
    }()

    /// The byte for each mapped scalar value below 324, or -1 where the scalar stands for no byte.
    static let byteForScalarValue: [Int16] = {
        var table = [Int16](repeating: -1, count: 324)
        for (byte, scalar) in scalarForByte.enumerated() {
            table[Int(scalar.value)] = Int16(byte)
        }
        return table
    }()

    /// Bytes that GPT-2 considers printable and therefore leaves unchanged.
    private static func keepsItself(_ byte: Int) -> Bool {
        (0x21...0x7E).contains(byte) || (0xA1...0xAC).contains(byte) || (0xAE...0xFF).contains(byte)
    }

    /// The raw bytes behind a byte-level token string, or nil if some character is not a mapped byte
    /// (such tokens, e.g. added special tokens, are taken as their own UTF-8, as HF's decoder does).
    static func decode(_ token: String) -> [UInt8]? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(token.utf8.count)
        for scalar in token.unicodeScalars {
            let value = Int(scalar.value)
            guard value < byteForScalarValue.count else { return nil }
            let byte = byteForScalarValue[value]
            guard byte >= 0 else { return nil }
            bytes.append(UInt8(byte))
        }
        return bytes
    }
}
