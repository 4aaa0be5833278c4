/// Image formats Glimpse decodes, recognized by their leading bytes (never by file extension).
public enum ImageFormat: String, Sendable, CaseIterable {
    case jpeg = "JPEG"
    case png = "PNG"

    /// "JPEG, PNG", for error messages.
    static var supportedList: String { allCases.map(\.rawValue).joined(separator: ", ") }

    /// What the leading bytes say: a supported format, or the name of an unsupported one if known.
    enum Sniffed: Equatable {
        case supported(ImageFormat)
        case unsupported(String?)
    }

    /// Identifies a file from its first bytes (16 are enough for every signature here).
    static func sniff<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> Sniffed {
        let head = Array(bytes.prefix(16))
        func starts(_ signature: [UInt8], at offset: Int = 0) -> Bool {
            head.count >= offset + signature.count && Array(head[offset..<offset + signature.count]) == signature
        }
        func ascii(_ text: String) -> [UInt8] { Array(text.utf8) }

        // Pillow accepts JPEG on FF D8 FF and PNG on the full 8-byte signature; so do we.
        if starts([0xFF, 0xD8, 0xFF]) { return .supported(.jpeg) }
        if starts([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .supported(.png) }

        if starts(ascii("GIF87a")) || starts(ascii("GIF89a")) { return .unsupported("GIF") }
        if starts(ascii("RIFF")) && starts(ascii("WEBP"), at: 8) { return .unsupported("WebP") }
        if starts(ascii("BM")) { return .unsupported("BMP") }
        if starts([0x49, 0x49, 0x2A, 0x00]) || starts([0x4D, 0x4D, 0x00, 0x2A]) { return .unsupported("TIFF") }
        if starts(ascii("ftypavif"), at: 4) || starts(ascii("ftypavis"), at: 4) { return .unsupported("AVIF") }
        if starts(ascii("ftyphei"), at: 4) || starts(ascii("ftypmif1"), at: 4) { return .unsupported("HEIF") }
        if starts([0x00, 0x00, 0x00, 0x0C, 0x6A, 0x50, 0x20, 0x20]) || starts([0xFF, 0x4F, 0xFF, 0x51]) {
            return .unsupported("JPEG 2000")
        }
        if starts([0xFF, 0x0A]) || starts([0x00, 0x00, 0x00, 0x0C, 0x4A, 0x58, 0x4C, 0x20]) { return .unsupported("JPEG XL") }
        if starts(ascii("8BPS")) { return .unsupported("Photoshop") }
        if starts(ascii("qoif")) { return .unsupported("QOI") }
        if starts([0x00, 0x00, 0x01, 0x00]) { return .unsupported("ICO") }
        return .unsupported(nil)
    }
}
