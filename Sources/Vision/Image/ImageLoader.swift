import CImageCodecs
import Foundation

/// Reads JPEG and PNG files into RGB pixels identical to Pillow's `Image.open(path).convert("RGB")`
/// (no EXIF rotation, alpha dropped without compositing, as Pillow does).
public enum ImageLoader {
    /// Largest accepted width * height: Pillow's decompression-bomb limit (twice Image.MAX_IMAGE_PIXELS;
    /// ~537 MB of RGB), so Glimpse refuses what the reference refuses. Larger headers are refused before
    /// any pixel memory is allocated: a 421-byte JPEG declaring 210 megapixels took 4 s and 630 MB before.
    public static let maxPixels = 178_956_970

    /// Decodes the image file at `path`; the format comes from the file's leading bytes.
    public static func load(path: String) throws(ImageError) -> RGBImage {
        let data: Data
        do {
            // Mapped when the file system allows it, so large files are not copied before decoding.
            data = try Data(contentsOf: URL(fileURLWithPath: path), options: .mappedIfSafe)
        } catch {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw .fileNotFound(path: path)
            }
            if isDirectory.boolValue { throw .unreadable(path: path, reason: "it is a directory") }
            if !FileManager.default.isReadableFile(atPath: path) { throw .unreadable(path: path, reason: "permission denied") }
            throw .unreadable(path: path, reason: Self.reason(error))
        }
        return try decode(data, name: path)
    }

    /// Decodes an in-memory JPEG or PNG; `name` is used in error messages.
    public static func decode(_ data: Data, name: String) throws(ImageError) -> RGBImage {
        if data.isEmpty { throw .emptyFile(path: name) }
        let format: ImageFormat
        switch ImageFormat.sniff(data) {
        case .supported(let found): format = found
        case .unsupported(let detected): throw .unsupportedFormat(path: name, detected: detected)
        }

        var image = gi_image(width: 0, height: 0, pixels: nil)
        var message = [CChar](repeating: 0, count: 512)
        let status = data.withUnsafeBytes { raw -> gi_status in
            guard let base = raw.bindMemory(to: UInt8.self).baseAddress else { return GI_ERROR_CORRUPT }
            return message.withUnsafeMutableBufferPointer { text in
                switch format {
                case .jpeg: gi_decode_jpeg(base, raw.count, UInt64(maxPixels), &image, text.baseAddress, text.count)
                case .png: gi_decode_png(base, raw.count, UInt64(maxPixels), &image, text.baseAddress, text.count)
                }
            }
        }
        defer { gi_image_free(&image) }

        let width = Int(image.width), height = Int(image.height)
        let detail = String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        switch status {
        case GI_OK:
            guard let pixels = image.pixels else { throw .corrupt(path: name, format: format, detail: "no pixels") }
            return RGBImage(width: width, height: height,
                            pixels: Array(UnsafeBufferPointer(start: pixels, count: width * height * 3)))
        case GI_ERROR_TRUNCATED: throw .truncated(path: name, format: format)
        case GI_ERROR_ZERO_SIZE: throw .zeroSize(path: name, format: format)
        case GI_ERROR_TOO_LARGE: throw .tooLarge(path: name, width: width, height: height, limit: maxPixels)
        case GI_ERROR_UNSUPPORTED: throw .unsupportedVariant(path: name, format: format, detail: detail)
        case GI_ERROR_OUT_OF_MEMORY: throw .outOfMemory(path: name, width: width, height: height)
        default: throw .corrupt(path: name, format: format, detail: detail.isEmpty ? "unknown error" : detail)
        }
    }

    /// A short reason for a failed read (the underlying POSIX error when there is one).
    private static func reason(_ error: any Error) -> String {
        let ns = error as NSError
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain,
           let code = POSIXErrorCode(rawValue: Int32(underlying.code)) {
            return String(cString: strerror(code.rawValue))
        }
        return ns.localizedDescription
    }
}
