import TensorCore

/// Where a tensor's bytes lie in a GGUF file.
public struct GGUFTensorInfo: Sendable, Equatable {
    public let name: String
    public let type: GGMLType
    /// Outermost first (PyTorch order). GGUF stores dimensions innermost first; the reader reverses them.
    public let shape: [Int]
    /// Absolute byte offset in the file.
    public let offset: Int
    public let byteCount: Int
}

/// A GGUF file (gguf.md, versions 2 and 3) mapped read-only. Metadata is parsed at open; tensors are
/// views into the mapping, so weight bytes are never copied and loading costs a few MB whatever
/// the file size. Every tensor's type, shape and bounds are checked here, once.
public final class GGUFFile: @unchecked Sendable {
    public let path: String
    public let version: UInt32
    public let alignment: Int
    /// Metadata in file order.
    public let metadata: [(key: String, value: GGUFValue)]
    public let tensorInfos: [GGUFTensorInfo]
    private let metadataIndex: [String: Int]
    private let tensorIndex: [String: Int]
    private let file: MappedFile

    public static let magic: UInt32 = 0x4655_4747  // "GGUF" little-endian
    public static let defaultAlignment = 32

    public init(path: String) throws {
        self.path = path
        file = try MappedFile(path: path)
        var r = ByteReader(buffer: file.buffer, path: path)
        guard file.size >= 4, try r.u32("magic") == GGUFFile.magic else { throw GGUFError.notGGUF(path: path) }
        version = try r.u32("version")
        guard version == 2 || version == 3 else { throw GGUFError.unsupportedVersion(path: path, version: version) }
        let tensorCount = try r.u64("tensor count")
        let kvCount = try r.u64("metadata count")
        // every entry takes at least 8+4 bytes (tensor: name length + n_dims): bound counts by file size
        guard tensorCount <= UInt64(file.size / 12), kvCount <= UInt64(file.size / 12) else {
            throw GGUFError.malformed(path: path, what: "tensor count \(tensorCount) or metadata count \(kvCount) is larger than the file could hold")
        }
        var kvs: [(key: String, value: GGUFValue)] = []
        var kIndex: [String: Int] = [:]
        for _ in 0..<Int(kvCount) {
            let key = try r.string("metadata key")
            let value = try r.value(key: key)
            guard kIndex[key] == nil else { throw GGUFError.malformed(path: path, what: "duplicate metadata key '\(key)'") }
            kIndex[key] = kvs.count
            kvs.append((key, value))
        }
        metadata = kvs
        metadataIndex = kIndex
        var align = GGUFFile.defaultAlignment
        if let i = kIndex[GGUFKey.alignment] {
            guard let a = kvs[i].value.intValue, a > 0, a <= 1 << 20, a & (a - 1) == 0 else {
                throw GGUFError.malformed(path: path, what: "general.alignment must be a power of two")
            }
            align = a
        }
        alignment = align

        var raw: [(name: String, dims: [Int], type: UInt32, offset: UInt64)] = []
        var tIndex: [String: Int] = [:]
        for _ in 0..<Int(tensorCount) {
            let name = try r.string("tensor name")
            let nDims = try r.u32("dimension count of '\(name)'")
            guard nDims >= 1, nDims <= 4 else { throw GGUFError.malformed(path: path, what: "tensor '\(name)' has \(nDims) dimensions (1 to 4 allowed)") }
            var dims: [Int] = []
            for _ in 0..<nDims {
                let d = try r.u64("dimensions of '\(name)'")
                guard d <= UInt64(Int32.max) else { throw GGUFError.malformed(path: path, what: "tensor '\(name)' has an absurd dimension \(d)") }
                dims.append(Int(d))
            }
            let type = try r.u32("type of '\(name)'")
            let offset = try r.u64("offset of '\(name)'")
            guard tIndex[name] == nil else { throw GGUFError.malformed(path: path, what: "duplicate tensor '\(name)'") }
            tIndex[name] = raw.count
            raw.append((name, dims, type, offset))
        }
        let dataStart = (r.position + align - 1) / align * align

        var infos: [GGUFTensorInfo] = []
        for t in raw {
            guard let type = GGMLType(rawValue: t.type) else {
                throw GGUFError.unknownTensorType(path: path, tensor: t.name, type: t.type)
            }
            var count = 1
            for d in t.dims {
                let (c, o) = count.multipliedReportingOverflow(by: d)
                guard !o, c < 1 << 40 else { throw GGUFError.malformed(path: path, what: "tensor '\(t.name)' claims too many elements") }
                count = c
            }
            guard t.dims[0] % type.blockSize == 0, let bytes = type.byteCount(elements: count) else {
                throw GGUFError.malformed(path: path, what: "tensor '\(t.name)' row length \(t.dims[0]) is not a multiple of the \(type) block size")
            }
            guard (count / max(1, t.dims[0])) % type.rowGroup == 0 else {  // a vector is one row: never a group
                throw GGUFError.malformed(path: path, what: "tensor '\(t.name)' has rows that do not fill \(type)'s groups of \(type.rowGroup)")
            }
            guard t.offset % UInt64(align) == 0 else {
                throw GGUFError.malformed(path: path, what: "tensor '\(t.name)' offset is not aligned to \(align)")
            }
            guard t.offset <= UInt64(file.size), dataStart + Int(t.offset) <= file.size,
                  bytes <= file.size - dataStart - Int(t.offset) else {
                throw GGUFError.tensorOutOfBounds(path: path, tensor: t.name)
            }
            infos.append(GGUFTensorInfo(name: t.name, type: type, shape: t.dims.reversed(),
                                        offset: dataStart + Int(t.offset), byteCount: bytes))
        }
        tensorInfos = infos
        tensorIndex = tIndex
    }

    public var fileSize: Int { file.size }

    /// The file as it was when mapped.
    public var identity: FileIdentity { file.identity }

    /// Throws if the file on disk is no longer the one mapped (modified, replaced, removed): results
    /// computed from a changing file must not be kept.
    public func checkUnchanged() throws {
        if let change = file.identity.change(at: path) { throw GGUFError.changedDuringRun(path: path, change: change) }
    }

    public func value(_ key: String) -> GGUFValue? {
        metadataIndex[key].map { metadata[$0].value }
    }

    public func int(_ key: String) throws -> Int {
        guard let v = value(key) else { throw GGUFError.missingKey(path: path, key: key) }
        guard let i = v.intValue else { throw GGUFError.wrongKeyType(path: path, key: key, expected: "an integer") }
        return i
    }

    public func double(_ key: String) throws -> Double {
        guard let v = value(key) else { throw GGUFError.missingKey(path: path, key: key) }
        guard let d = v.doubleValue else { throw GGUFError.wrongKeyType(path: path, key: key, expected: "a number") }
        return d
    }

    public func string(_ key: String) throws -> String {
        guard let v = value(key) else { throw GGUFError.missingKey(path: path, key: key) }
        guard let s = v.stringValue else { throw GGUFError.wrongKeyType(path: path, key: key, expected: "a string") }
        return s
    }

    public func strings(_ key: String) throws -> [String] {
        guard let v = value(key) else { throw GGUFError.missingKey(path: path, key: key) }
        guard let s = v.stringArray else { throw GGUFError.wrongKeyType(path: path, key: key, expected: "an array of strings") }
        return s
    }

    public func info(_ name: String) -> GGUFTensorInfo? { tensorIndex[name].map { tensorInfos[$0] } }

    /// Starts reading the chosen tensors from disk in the background: for a loader about to decode many small
    /// tensors scattered over a large file that is not in the page cache.
    public func prefetch(where chosen: (GGUFTensorInfo) -> Bool) {
        for info in tensorInfos where chosen(info) {
            guard let bytes = file.bytes(at: info.offset, count: info.byteCount) else { continue }
            file.willNeed(bytes)
        }
    }

    /// A view of the named tensor inside the mapping.
    public func tensor(_ name: String) throws -> TensorView {
        guard let info = info(name) else { throw GGUFError.missingTensor(path: path, tensor: name) }
        guard let bytes = file.bytes(at: info.offset, count: info.byteCount), let base = bytes.baseAddress ?? file.base else {
            throw GGUFError.tensorOutOfBounds(path: path, tensor: name)
        }
        return TensorView(name: name, type: info.type, shape: info.shape, data: base, byteCount: info.byteCount, owner: file)
    }

    /// The named tensor, checked against the expected shape and allowed types.
    public func tensor(_ name: String, shape: [Int], types: Set<GGMLType> = Set(GGMLType.allCases)) throws -> TensorView {
        let t = try tensor(name)
        guard t.shape == shape else { throw GGUFError.shapeMismatch(path: path, tensor: name, expected: shape, found: t.shape) }
        guard types.contains(t.type) else { throw GGUFError.typeNotAllowed(path: path, tensor: name, type: t.type.description) }
        return t
    }
}
