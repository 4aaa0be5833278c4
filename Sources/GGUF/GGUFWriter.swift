#if canImport(Glibc)
import Glibc
#endif
import TensorCore

/// Streams a GGUF v3 file: metadata and tensor infos first, then each tensor's bytes as its producer
/// writes them, so converting a model never holds more than one tensor in memory. The file is written
/// under a temporary name and renamed into place only when complete: a failed run leaves nothing behind.
public final class GGUFWriter {
    /// A tensor to be written: its bytes come from `produce`, which must write exactly byteCount bytes.
    public struct PendingTensor {
        public let name: String
        public let type: GGMLType
        /// Outermost first (PyTorch order).
        public let shape: [Int]
        public let produce: (GGUFOutput) throws -> Void

        public init(name: String, type: GGMLType, shape: [Int], produce: @escaping (GGUFOutput) throws -> Void) {
            self.name = name
            self.type = type
            self.shape = shape
            self.produce = produce
        }

        var byteCount: Int { type.byteCount(elements: shape.reduce(1, *)) ?? 0 }
    }

    public let path: String
    public let alignment: Int
    private var metadata: [(String, GGUFValue)] = []
    private var tensors: [PendingTensor] = []

    public init(path: String, alignment: Int = GGUFFile.defaultAlignment) {
        self.path = path
        self.alignment = alignment
        if alignment != GGUFFile.defaultAlignment { metadata.append((GGUFKey.alignment, .uint32(UInt32(alignment)))) }
    }

    public func set(_ key: String, _ value: GGUFValue) {
        if let i = metadata.firstIndex(where: { $0.0 == key }) { metadata[i].1 = value } else { metadata.append((key, value)) }
    }

    public func add(_ tensor: PendingTensor) throws {
        guard tensor.shape.count >= 1, tensor.shape.count <= 4,
              let last = tensor.shape.last, last % tensor.type.blockSize == 0,
              tensor.type.byteCount(elements: tensor.shape.reduce(1, *)) != nil else {
            throw GGUFError.cannotWrite(path: path, reason: "tensor '\(tensor.name)' of shape \(tensor.shape) cannot be stored as \(tensor.type) (rows must be a multiple of \(tensor.type.blockSize))")
        }
        guard tensor.shape.dropLast().reduce(1, *) % tensor.type.rowGroup == 0 else {
            throw GGUFError.cannotWrite(path: path, reason: "tensor '\(tensor.name)' of shape \(tensor.shape) cannot be stored as \(tensor.type) (it needs rows in groups of \(tensor.type.rowGroup))")
        }
        tensors.append(tensor)
    }

    /// Writes the file. `progress` is called after each tensor with (done, total).
    public func write(progress: ((Int, Int) -> Void)? = nil) throws {
        let tmp = path + ".tmp-\(getpid())"
        let out = try GGUFOutput(path: tmp, finalPath: path)
        var ok = false
        defer {
            out.close()
            if !ok { unlink(tmp) }
        }
        try writeHeader(out)
        for (i, t) in tensors.enumerated() {
            let start = out.written
            try t.produce(out)
            guard out.written - start == t.byteCount else {
                throw GGUFError.cannotWrite(path: path, reason: "tensor '\(t.name)' produced \(out.written - start) bytes, expected \(t.byteCount)")
            }
            try out.pad(to: alignment)
            progress?(i + 1, tensors.count)
        }
        try out.flush()
        out.close()
        guard rename(tmp, path) == 0 else {
            throw GGUFError.cannotWrite(path: path, reason: String(cString: strerror(errno)))
        }
        ok = true
    }

    private func writeHeader(_ out: GGUFOutput) throws {
        try out.u32(GGUFFile.magic)
        try out.u32(3)
        try out.u64(UInt64(tensors.count))
        try out.u64(UInt64(metadata.count))
        for (key, value) in metadata {
            try out.string(key)
            try out.u32(value.type.rawValue)
            try out.value(value)
        }
        var offset = 0
        for t in tensors {
            try out.string(t.name)
            try out.u32(UInt32(t.shape.count))
            for d in t.shape.reversed() { try out.u64(UInt64(d)) }
            try out.u32(t.type.rawValue)
            try out.u64(UInt64(offset))
            offset += (t.byteCount + alignment - 1) / alignment * alignment
        }
        try out.pad(to: alignment)
    }
}

/// A buffered file writer used by GGUFWriter (and by tensor producers to emit their bytes).
public final class GGUFOutput {
    private let fd: Int32
    private let displayPath: String
    private var buffer: [UInt8] = []
    private var closed = false
    /// Bytes written so far (including buffered ones).
    public private(set) var written = 0

    init(path: String, finalPath: String) throws {
        displayPath = finalPath
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw GGUFError.cannotWrite(path: finalPath, reason: String(cString: strerror(errno))) }
        buffer.reserveCapacity(1 << 20)
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        if buffer.count + bytes.count > 1 << 20 { try flush() }
        if bytes.count >= 1 << 20 {
            try writeAll(bytes)
        } else {
            buffer.append(contentsOf: bytes)
        }
        written += bytes.count
    }

    public func write(_ bytes: [UInt8]) throws { try bytes.withUnsafeBytes { try write($0) } }

    func u32(_ v: UInt32) throws { try withUnsafeBytes(of: v.littleEndian) { try write($0) } }
    func u64(_ v: UInt64) throws { try withUnsafeBytes(of: v.littleEndian) { try write($0) } }
    func string(_ s: String) throws {
        let b = Array(s.utf8)
        try u64(UInt64(b.count))
        try write(b)
    }

    func value(_ v: GGUFValue) throws {
        switch v {
        case .uint8(let x): try write([x])
        case .int8(let x): try write([UInt8(bitPattern: x)])
        case .uint16(let x): try withUnsafeBytes(of: x.littleEndian) { try write($0) }
        case .int16(let x): try withUnsafeBytes(of: x.littleEndian) { try write($0) }
        case .uint32(let x): try u32(x)
        case .int32(let x): try u32(UInt32(bitPattern: x))
        case .float32(let x): try u32(x.bitPattern)
        case .bool(let x): try write([x ? 1 : 0])
        case .string(let s): try string(s)
        case .uint64(let x): try u64(x)
        case .int64(let x): try u64(UInt64(bitPattern: x))
        case .float64(let x): try u64(x.bitPattern)
        case .array(let type, let items):
            try u32(type.rawValue)
            try u64(UInt64(items.count))
            for item in items { try value(item) }
        }
    }

    func pad(to alignment: Int) throws {
        let r = written % alignment
        if r != 0 { try write([UInt8](repeating: 0, count: alignment - r)) }
    }

    func flush() throws {
        guard !buffer.isEmpty else { return }
        try buffer.withUnsafeBytes { try writeAll($0) }
        buffer.removeAll(keepingCapacity: true)
    }

    private func writeAll(_ bytes: UnsafeRawBufferPointer) throws {
        var done = 0
        while done < bytes.count {
            guard let base = bytes.baseAddress else { return }
            let n = Glibc.write(fd, base + done, bytes.count - done)
            if n < 0 {
                if errno == EINTR { continue }
                throw GGUFError.cannotWrite(path: displayPath, reason: String(cString: strerror(errno)))
            }
            done += n
        }
    }

    func close() {
        guard !closed else { return }
        closed = true
        Glibc.close(fd)
    }
}
