/// Why an image file could not be turned into pixels. Every message names the file.
public enum ImageError: Error, Equatable, CustomStringConvertible {
    /// Nothing exists at the path.
    case fileNotFound(path: String)
    /// The path exists but could not be read (a directory, no permission, an I/O error).
    case unreadable(path: String, reason: String)
    /// The file has no bytes.
    case emptyFile(path: String)
    /// The bytes are not JPEG or PNG; `detected` names the format when it is recognizable (GIF, WebP, ...).
    case unsupportedFormat(path: String, detected: String?)
    /// The decoder rejected the data; `detail` is libjpeg's or libpng's message.
    case corrupt(path: String, format: ImageFormat, detail: String)
    /// A well-formed file in a variant the decoder does not handle (e.g. a 2-channel JPEG).
    case unsupportedVariant(path: String, format: ImageFormat, detail: String)
    /// The data ends before the image is complete.
    case truncated(path: String, format: ImageFormat)
    /// The header declares a width or height of zero.
    case zeroSize(path: String, format: ImageFormat)
    /// The header declares more pixels than `ImageLoader.maxPixels`.
    case tooLarge(path: String, width: Int, height: Int, limit: Int)
    /// Memory for the pixels could not be allocated.
    case outOfMemory(path: String, width: Int, height: Int)

    public var description: String {
        switch self {
        case .fileNotFound(let path):
            return "\(path): no such image file"
        case .unreadable(let path, let reason):
            return "\(path): cannot read the image file (\(reason))"
        case .emptyFile(let path):
            return "\(path): the image file is empty"
        case .unsupportedFormat(let path, let detected):
            let what = detected ?? "unrecognized data"
            return "\(path): unsupported image format (\(what)); supported formats are \(ImageFormat.supportedList)"
        case .corrupt(let path, let format, let detail):
            return "\(path): corrupt \(format.rawValue) data (\(detail))"
        case .unsupportedVariant(let path, let format, let detail):
            return "\(path): unsupported kind of \(format.rawValue) (\(detail))"
        case .truncated(let path, let format):
            return "\(path): the \(format.rawValue) data is truncated (the file ends before the image is complete)"
        case .zeroSize(let path, let format):
            return "\(path): the \(format.rawValue) header declares a zero width or height"
        case .tooLarge(let path, let width, let height, let limit):
            return "\(path): the image is too large (\(width)x\(height) pixels; at most \(limit) pixels are accepted)"
        case .outOfMemory(let path, let width, let height):
            return "\(path): not enough memory to decode a \(width)x\(height) image"
        }
    }
}
