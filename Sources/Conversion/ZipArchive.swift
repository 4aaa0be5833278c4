#if canImport(GGUF)
import GGUF
#endif

/// One file listed in a zip central directory.
public struct ZipEntry: Sendable {
    /// Path inside the archive ("archive/data.pkl").
    public let name: String
    /// Compression method: 0 = stored, 8 = deflate.
    public let method: Int
    /// General-purpose flags (bit 0 = encrypted, bit 3 = sizes in a trailing data descriptor).
    public let flags: UInt16
    /// Size of the entry's data as stored in the archive.
    public let compressedSize: Int
    /// Size of the entry's data once decompressed.
    public let uncompressedSize: Int
    /// Offset of the entry's local file header from the start of the file.
    public let localHeaderOffset: Int
}

/// A read-only zip archive over a memory mapping, enough for torch.save and TorchScript files.
///
/// Supports ZIP64. Only stored (uncompressed) entries can be read, and their data is returned as
/// a view into the mapping. Every offset and size is checked against the file; nothing traps.
public struct ZipArchive: Sendable {
    /// The mapped archive.
    public let file: MappedFile
    /// Entries in central-directory order.
    public let entries: [ZipEntry]
    private let indexByName: [String: Int]

    /// Maps and parses the archive at `path`.
    public init(path: String) throws {
        try self.init(file: openCheckpointFile(path))
    }

    /// Parses the central directory of a mapped archive.
    public init(file: MappedFile) throws {
        self.file = file
        let directory = try ZipDirectoryLocator.locate(file)
        let parsed = try ZipArchive.parseCentralDirectory(file, directory)
        var index: [String: Int] = [:]
        for (i, e) in parsed.enumerated() {
            guard index.updateValue(i, forKey: e.name) == nil else {
                throw CheckpointError.invalidZip(file: file.path, reason: "duplicate entry name '\(e.name)'")
            }
        }
        entries = parsed
        indexByName = index
    }

    /// The entry with this exact name, if any.
    public func entry(named name: String) -> ZipEntry? {
        indexByName[name].map { entries[$0] }
    }

    /// The bytes of a stored entry, as a view into the mapping.
    public func data(of entry: ZipEntry) throws -> UnsafeRawBufferPointer {
        let path = file.path
        guard entry.flags & 1 == 0 else {
            throw CheckpointError.unsupported(file: path, reason: "zip entry '\(entry.name)' is encrypted")
        }
        guard entry.method == 0 else {
            throw CheckpointError.unsupportedCompression(file: path, entry: entry.name, method: entry.method)
        }
        guard entry.compressedSize == entry.uncompressedSize else {
            throw CheckpointError.invalidZip(file: path, reason: "stored entry '\(entry.name)' has different compressed and uncompressed sizes")
        }
        let view = CheckpointBytes(file.buffer)
        guard view.u32(entry.localHeaderOffset) == 0x0403_4B50,
              let nameLength = view.u16(entry.localHeaderOffset + 26),
              let extraLength = view.u16(entry.localHeaderOffset + 28)
        else {
            throw CheckpointError.invalidZip(file: path, reason: "entry '\(entry.name)' has no valid local header at offset \(entry.localHeaderOffset)")
        }
        // Sizes in the local header may be zero (torch sets the data-descriptor flag), so only the
        // central directory's sizes are used; the local header only tells where the data starts.
        guard let start = CheckedMath.add(entry.localHeaderOffset, 30 + Int(nameLength) + Int(extraLength)),
              let data = view.slice(start, entry.compressedSize)
        else {
            throw CheckpointError.invalidZip(file: path, reason: "data of entry '\(entry.name)' lies outside the \(file.size)-byte file")
        }
        return data
    }

    /// The bytes of the stored entry named `name`; throws `missingEntry` if absent.
    public func data(named name: String) throws -> UnsafeRawBufferPointer {
        guard let e = entry(named: name) else { throw CheckpointError.missingEntry(file: file.path, entry: name) }
        return try data(of: e)
    }

    private static func parseCentralDirectory(_ file: MappedFile, _ dir: ZipDirectoryLocator.Directory) throws -> [ZipEntry] {
        let path = file.path
        let view = CheckpointBytes(file.buffer)
        func bad(_ reason: String) -> CheckpointError { CheckpointError.invalidZip(file: path, reason: reason) }
        // Each record is at least 46 bytes, which bounds the count a lying header can claim.
        guard dir.entryCount <= dir.size / 46 else {
            throw bad("central directory claims \(dir.entryCount) entries but is only \(dir.size) bytes")
        }
        var entries: [ZipEntry] = []
        var pos = dir.offset
        let end = dir.offset + dir.size
        for i in 0..<dir.entryCount {
            guard pos <= end - 46, view.u32(pos) == 0x0201_4B50,
                  let flags = view.u16(pos + 8), let method = view.u16(pos + 10),
                  let compressed32 = view.u32(pos + 20), let uncompressed32 = view.u32(pos + 24),
                  let nameLength = view.u16(pos + 28), let extraLength = view.u16(pos + 30),
                  let commentLength = view.u16(pos + 32), let offset32 = view.u32(pos + 42)
            else { throw bad("central directory record \(i) at offset \(pos) is malformed") }
            let nameStart = pos + 46
            let extraStart = nameStart + Int(nameLength)
            let recordEnd = extraStart + Int(extraLength) + Int(commentLength)
            guard recordEnd <= end, let nameBytes = view.slice(nameStart, Int(nameLength)),
                  let extra = view.slice(extraStart, Int(extraLength))
            else { throw bad("central directory record \(i) runs past the directory") }
            let name = String(decoding: nameBytes, as: UTF8.self)
            var uncompressed = UInt64(uncompressed32)
            var compressed = UInt64(compressed32)
            var offset = UInt64(offset32)
            if uncompressed32 == 0xFFFF_FFFF || compressed32 == 0xFFFF_FFFF || offset32 == 0xFFFF_FFFF {
                try applyZip64Extra(CheckpointBytes(extra), &uncompressed, &compressed, &offset,
                                    needU: uncompressed32 == 0xFFFF_FFFF, needC: compressed32 == 0xFFFF_FFFF,
                                    needO: offset32 == 0xFFFF_FFFF, fail: { bad("entry '\(name)': \($0)") })
            }
            guard let u = CheckedMath.int(uncompressed), let c = CheckedMath.int(compressed), let o = CheckedMath.int(offset),
                  o < file.size, c <= file.size
            else { throw bad("entry '\(name)' has sizes or offset beyond the \(file.size)-byte file") }
            entries.append(ZipEntry(name: name, method: Int(method), flags: flags, compressedSize: c,
                                    uncompressedSize: u, localHeaderOffset: o))
            pos = recordEnd
        }
        return entries
    }

    /// Reads the ZIP64 extended-information extra field (id 0x0001): only the fields whose
    /// 32-bit value was 0xFFFFFFFF are present, in the order uncompressed, compressed, offset.
    private static func applyZip64Extra(
        _ extra: CheckpointBytes, _ u: inout UInt64, _ c: inout UInt64, _ o: inout UInt64,
        needU: Bool, needC: Bool, needO: Bool, fail: (String) -> CheckpointError
    ) throws {
        var pos = 0
        while pos + 4 <= extra.count {
            guard let id = extra.u16(pos), let size = extra.u16(pos + 2) else { break }
            let body = pos + 4
            guard extra.contains(offset: body, length: Int(size)) else { throw fail("extra field runs past its record") }
            if id == 0x0001 {
                var p = body
                func next() throws -> UInt64 {
                    guard p + 8 <= body + Int(size), let v = extra.u64(p) else { throw fail("ZIP64 extra field is too short") }
                    p += 8
                    return v
                }
                if needU { u = try next() }
                if needC { c = try next() }
                if needO { o = try next() }
                return
            }
            pos = body + Int(size)
        }
        throw fail("32-bit size or offset is 0xFFFFFFFF but there is no ZIP64 extra field")
    }
}
