#if canImport(GGUF)
import GGUF
#endif

/// Finds a zip archive's central directory via the End Of Central Directory record (and the ZIP64
/// locator/record when present), validating that it lies inside the file.
enum ZipDirectoryLocator {
    struct Directory {
        let offset: Int
        let size: Int
        let entryCount: Int
    }

    static let eocdSignature: UInt32 = 0x0605_4B50
    static let zip64LocatorSignature: UInt32 = 0x0706_4B50
    static let zip64RecordSignature: UInt32 = 0x0606_4B50

    static func locate(_ file: MappedFile) throws -> Directory {
        let path = file.path
        let view = CheckpointBytes(file.buffer)
        func bad(_ reason: String) -> CheckpointError { CheckpointError.invalidZip(file: path, reason: reason) }

        guard let eocd = findEOCD(view) else {
            throw CheckpointError.truncated(file: path, reason: "no zip end-of-central-directory record in the last 64 KiB")
        }
        guard let disk = view.u16(eocd + 4), let cdDisk = view.u16(eocd + 6),
              let count16 = view.u16(eocd + 10), let size32 = view.u32(eocd + 12), let offset32 = view.u32(eocd + 16)
        else { throw bad("end-of-central-directory record is truncated") }

        var entryCount = UInt64(count16)
        var size = UInt64(size32)
        var offset = UInt64(offset32)
        var multiDisk = disk != 0 || cdDisk != 0

        // ZIP64: a 20-byte locator sits right before the EOCD and points at the 56-byte record.
        if eocd >= 20, view.u32(eocd - 20) == zip64LocatorSignature {
            guard let recordOffset64 = view.u64(eocd - 20 + 8), let totalDisks = view.u32(eocd - 20 + 16),
                  let recordOffset = CheckedMath.int(recordOffset64), recordOffset <= eocd - 20 - 56
            else { throw bad("ZIP64 locator points outside the file") }
            guard view.u32(recordOffset) == zip64RecordSignature,
                  let disk64 = view.u32(recordOffset + 16), let cdDisk64 = view.u32(recordOffset + 20),
                  let count64 = view.u64(recordOffset + 32), let size64 = view.u64(recordOffset + 40),
                  let offset64 = view.u64(recordOffset + 48)
            else { throw bad("no valid ZIP64 end-of-central-directory record at offset \(recordOffset)") }
            entryCount = count64
            size = size64
            offset = offset64
            multiDisk = disk64 != 0 || cdDisk64 != 0 || totalDisks > 1
        }
        guard !multiDisk else {
            throw CheckpointError.unsupported(file: path, reason: "multi-disk (split) zip archives are not supported")
        }
        guard let o = CheckedMath.int(offset), let s = CheckedMath.int(size), let n = CheckedMath.int(entryCount),
              view.contains(offset: o, length: s), o + s <= eocd
        else {
            throw bad("central directory (offset \(offset), size \(size)) lies outside the \(file.size)-byte file")
        }
        return Directory(offset: o, size: s, entryCount: n)
    }

    /// Searches backwards for the EOCD signature, at most 64 KiB (the longest comment) + 22 bytes,
    /// accepting the first candidate whose comment length fits in the rest of the file.
    private static func findEOCD(_ view: CheckpointBytes) -> Int? {
        guard view.count >= 22 else { return nil }
        let last = view.count - 22
        let first = max(0, last - 65535)
        var pos = last
        while pos >= first {
            if view.u32(pos) == eocdSignature, let commentLength = view.u16(pos + 20),
               Int(commentLength) <= view.count - pos - 22 {
                return pos
            }
            pos -= 1
        }
        return nil
    }
}
