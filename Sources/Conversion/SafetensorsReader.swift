#if canImport(GGUF)
import GGUF
#endif

/// Everything in one .safetensors file.
public struct SafetensorsContents: Sendable {
    /// Tensors in the order their data appears in the file.
    public let tensors: [SourceTensor]
    /// The optional "__metadata__" string map (e.g. ["format": "pt"]).
    public let metadata: [String: String]
}

/// Reads .safetensors files: an 8-byte little-endian header length, a JSON header, then raw data.
///
/// Tensors are views into the mapping; every offset and size in the header is validated first.
public enum SafetensorsReader {
    /// Headers larger than this are refused (real headers are well under 10 MB).
    public static let maxHeaderSize = 100_000_000

    /// Reads the tensors of the file at `path`.
    public static func read(path: String) throws -> [SourceTensor] {
        try read(file: openCheckpointFile(path))
    }

    /// Reads the tensors of an already mapped file.
    public static func read(file: MappedFile) throws -> [SourceTensor] {
        try readContents(file: file).tensors
    }

    /// Reads tensors and metadata of an already mapped file.
    public static func readContents(file: MappedFile) throws -> SafetensorsContents {
        let path = file.path
        let view = CheckpointBytes(file.buffer)
        guard let rawLength = view.u64(0) else {
            throw CheckpointError.truncated(file: path, reason: "file has \(file.size) bytes, fewer than the 8-byte header length")
        }
        guard rawLength <= UInt64(maxHeaderSize) else { throw CheckpointError.headerTooLarge(file: path, size: rawLength) }
        let headerLength = Int(rawLength)
        guard let header = view.slice(8, headerLength) else {
            throw CheckpointError.truncated(file: path, reason: "header length \(headerLength) exceeds the \(file.size - 8) bytes after it")
        }
        let json: CheckpointJSON
        do {
            json = try CheckpointJSON.parse(header)
        } catch let e as CheckpointJSON.ParseError {
            throw CheckpointError.invalidHeader(file: path, reason: e.reason)
        }
        guard let members = json.objectMembers else {
            throw CheckpointError.invalidHeader(file: path, reason: "header is not a JSON object")
        }
        let dataStart = 8 + headerLength
        let dataSize = file.size - dataStart

        var metadata: [String: String] = [:]
        var entries: [(begin: Int, tensor: SourceTensor)] = []
        var seen = Set<String>()
        for (name, info) in members {
            if name == "__metadata__" {
                metadata = try parseMetadata(info, path: path)
                continue
            }
            guard seen.insert(name).inserted else { throw CheckpointError.duplicateTensor(file: path, tensor: name) }
            let (dtype, shape, begin, end) = try parseTensorInfo(name: name, info: info, path: path)
            guard end <= dataSize else {
                throw CheckpointError.dataOutOfBounds(file: path, tensor: name,
                                                      reason: "data_offsets end \(end) is past the \(dataSize)-byte data section")
            }
            guard let bytes = CheckedMath.byteCount(shape: shape, elementSize: dtype.elementSize) else {
                throw CheckpointError.invalidHeader(file: path, reason: "tensor '\(name)' shape \(shape) overflows")
            }
            guard end - begin == bytes else {
                throw CheckpointError.sizeMismatch(file: path, tensor: name, expected: bytes, actual: end - begin)
            }
            guard let data = file.bytes(at: dataStart + begin, count: bytes) else {
                throw CheckpointError.dataOutOfBounds(file: path, tensor: name, reason: "range is outside the file")
            }
            entries.append((begin, SourceTensor(name: name, dtype: dtype, shape: shape, data: data, file: file)))
        }
        // Stable sort by data offset: "file order" even if the JSON keys are ordered differently.
        let ordered = entries.enumerated()
            .sorted { ($0.element.begin, $0.offset) < ($1.element.begin, $1.offset) }
            .map { $0.element.tensor }
        return SafetensorsContents(tensors: ordered, metadata: metadata)
    }

    /// Reads every shard named in a `model.safetensors.index.json`, each shard opened once.
    public static func readSharded(indexPath: String) throws -> [SourceTensor] {
        let index = try CheckpointIndex.load(path: indexPath)
        return try index.readShards { try read(path: $0) }
    }

    /// Maps a safetensors dtype string to SourceDType.
    public static func dtype(named s: String) -> SourceDType? {
        switch s {
        case "F32": return .f32
        case "F16": return .f16
        case "BF16": return .bf16
        case "F64": return .f64
        case "I64": return .i64
        case "I32": return .i32
        case "I16": return .i16
        case "I8": return .i8
        case "U8": return .u8
        case "BOOL": return .bool
        default: return nil
        }
    }

    private static func parseMetadata(_ info: CheckpointJSON, path: String) throws -> [String: String] {
        guard let members = info.objectMembers else {
            throw CheckpointError.invalidHeader(file: path, reason: "__metadata__ is not an object")
        }
        var out: [String: String] = [:]
        for (k, v) in members {
            guard let s = v.stringValue else {
                throw CheckpointError.invalidHeader(file: path, reason: "__metadata__ value for '\(k)' is not a string")
            }
            out[k] = s
        }
        return out
    }

    private static func parseTensorInfo(name: String, info: CheckpointJSON, path: String) throws
        -> (SourceDType, [Int], Int, Int)
    {
        func bad(_ what: String) -> CheckpointError {
            CheckpointError.invalidHeader(file: path, reason: "tensor '\(name)': \(what)")
        }
        guard info.objectMembers != nil else { throw bad("entry is not an object") }
        guard let dtypeName = info["dtype"]?.stringValue else { throw bad("missing or non-string dtype") }
        guard let dtype = dtype(named: dtypeName) else {
            throw CheckpointError.unknownDType(file: path, tensor: name, dtype: dtypeName)
        }
        guard let shapeItems = info["shape"]?.arrayValue else { throw bad("missing or non-array shape") }
        var shape: [Int] = []
        for item in shapeItems {
            guard let d = item.intValue, d >= 0 else { throw bad("shape has a non-integer or negative dimension") }
            shape.append(d)
        }
        guard let offsets = info["data_offsets"]?.arrayValue, offsets.count == 2,
              let begin = offsets[0].intValue, let end = offsets[1].intValue
        else { throw bad("data_offsets must be two integers") }
        guard begin >= 0, end >= begin else {
            throw CheckpointError.dataOutOfBounds(file: path, tensor: name, reason: "data_offsets [\(begin), \(end)] are not increasing")
        }
        return (dtype, shape, begin, end)
    }
}
