import Foundation
import Testing
@testable import Conversion
#if canImport(GGUF)
import GGUF  // MappedFile lives in GGUF in the main package
#endif

@Suite struct ZipArchiveTests {
    func text(_ buffer: UnsafeRawBufferPointer) -> String { String(decoding: buffer, as: UTF8.self) }

    /// Offset of the last End Of Central Directory signature in `bytes`.
    func eocdOffset(_ bytes: [UInt8]) throws -> Int {
        try #require((0...(bytes.count - 22)).reversed().first { bytes[$0..<($0 + 4)] == [0x50, 0x4B, 0x05, 0x06] })
    }

    func put32(_ bytes: inout [UInt8], _ offset: Int, _ value: UInt32) {
        for i in 0..<4 { bytes[offset + i] = UInt8(truncatingIfNeeded: value >> (8 * UInt32(i))) }
    }

    @Test func listsTorchSaveEntries() throws {
        let zip = try ZipArchive(path: CheckpointFixtures.path("state_dict.pt"))
        let names = zip.entries.map(\.name)
        #expect(names.first == "state_dict/data.pkl")
        #expect(names.contains("state_dict/byteorder"))
        #expect(names.contains("state_dict/data/0"))
        #expect(zip.entries.allSatisfy { $0.method == 0 })
        #expect(text(try zip.data(named: "state_dict/byteorder")) == "little")
        #expect(text(try zip.data(named: "state_dict/version")) == "3\n")
        // f32_matrix's storage: 6 floats, and torch aligns storage data to 64 bytes in the file.
        let storage = try zip.data(named: "state_dict/data/0")
        #expect(storage.count == 24)
        #expect((storage.baseAddress! - zip.file.buffer.baseAddress!) % 64 == 0)
        #expect(storage.loadUnaligned(fromByteOffset: 4, as: Float.self) == -2.0)
        guard case .missingEntry(_, "nope") = CheckpointFixtures.error({ _ = try zip.data(named: "nope") }) else {
            Issue.record("missing entry"); return
        }
    }

    @Test func readsZip64Archive() throws {
        let plain = try ZipArchive(path: CheckpointFixtures.path("state_dict.pt"))
        let zip64 = try ZipArchive(path: CheckpointFixtures.path("zip64.pt"))
        #expect(zip64.entries.map(\.name) == plain.entries.map(\.name))
        for entry in plain.entries {
            let a = Array(try plain.data(of: entry))
            let b = Array(try zip64.data(named: entry.name))
            #expect(a == b, "\(entry.name)")
        }
    }

    @Test func truncatedArchive() {
        let e = CheckpointFixtures.error { _ = try ZipArchive(path: CheckpointFixtures.path("truncated.pt")) }
        guard case .truncated = e else { Issue.record("wrong error: \(String(describing: e))"); return }
    }

    @Test func centralDirectoryPastEndOfFile() {
        let e = CheckpointFixtures.error { _ = try ZipArchive(path: CheckpointFixtures.path("bad_central_directory.pt")) }
        guard case .invalidZip = e else { Issue.record("wrong error: \(String(describing: e))"); return }
    }

    @Test func deflatedEntriesAreListedButRefused() throws {
        let zip = try ZipArchive(path: CheckpointFixtures.path("compressed.pt"))
        let pkl = try #require(zip.entry(named: "state_dict/data.pkl"))
        #expect(pkl.method == 8)
        let e = CheckpointFixtures.error { _ = try zip.data(of: pkl) }
        guard case .unsupportedCompression(_, "state_dict/data.pkl", 8) = e else {
            Issue.record("wrong error: \(String(describing: e))"); return
        }
    }

    @Test func archiveCommentIsSkipped() throws {
        var bytes = try CheckpointFixtures.bytes("state_dict.pt")
        let eocd = try eocdOffset(bytes)
        bytes[eocd + 20] = 200  // comment length 200, comment contains a fake EOCD signature
        bytes += [0x50, 0x4B, 0x05, 0x06] + [UInt8](repeating: 0x41, count: 196)
        let zip = try ZipArchive(path: try CheckpointFixtures.temporaryFile(bytes))
        let plain = try ZipArchive(path: CheckpointFixtures.path("state_dict.pt"))
        #expect(zip.entries.map(\.name) == plain.entries.map(\.name))
    }

    func put64(_ bytes: inout [UInt8], _ offset: Int, _ value: UInt64) {
        for i in 0..<8 { bytes[offset + i] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(i))) }
    }

    func refused(_ bytes: [UInt8], _ what: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let path = try CheckpointFixtures.temporaryFile(bytes)
        let e = CheckpointFixtures.error({ _ = try ZipArchive(path: path) }, sourceLocation: sourceLocation)
        guard case .invalidZip = e else {
            Issue.record("\(what): \(String(describing: e))", sourceLocation: sourceLocation); return
        }
    }

    @Test func lyingCountsAndOffsets() throws {
        // Written by Python's zipfile: a plain 32-bit end-of-central-directory record.
        let original = try CheckpointFixtures.bytes("missing_storage.pt")
        let eocd = try eocdOffset(original)
        #expect(original[eocd - 20..<eocd - 16] != [0x50, 0x4B, 0x06, 0x07])  // no ZIP64 locator

        var manyEntries = original
        manyEntries[eocd + 10] = 0xFF  // total entries 0xFFFF in a tiny directory
        manyEntries[eocd + 11] = 0xFF
        try refused(manyEntries, "entry count beyond directory size")

        var hugeSize = original
        put32(&hugeSize, eocd + 12, 0xFFFF_FFF0)
        try refused(hugeSize, "directory size beyond file")

        // First central-directory record: point its local header offset past the end of file.
        let cdOffset = Int(original[eocd + 16]) | Int(original[eocd + 17]) << 8 | Int(original[eocd + 18]) << 16
        var badLocal = original
        put32(&badLocal, cdOffset + 42, 0x7FFF_FFF0)
        try refused(badLocal, "local header offset beyond file")

        // A name length running past the directory.
        var badName = original
        badName[cdOffset + 28] = 0xFF
        badName[cdOffset + 29] = 0xFF
        try refused(badName, "name past directory")

        // Compressed size beyond the file for a stored entry: listing works, reading refuses.
        var badSize = original
        put32(&badSize, cdOffset + 20, UInt32(original.count - 10))
        put32(&badSize, cdOffset + 24, UInt32(original.count - 10))
        let zip = try ZipArchive(path: try CheckpointFixtures.temporaryFile(badSize))
        guard case .invalidZip = CheckpointFixtures.error({ _ = try zip.data(of: zip.entries[0]) }) else {
            Issue.record("entry data beyond file"); return
        }
    }

    @Test func lyingZip64Records() throws {
        // torch.save (miniz) always writes a ZIP64 record and locator before the EOCD.
        let original = try CheckpointFixtures.bytes("state_dict.pt")
        let eocd = try eocdOffset(original)
        let locator = eocd - 20
        #expect(original[locator..<locator + 4] == [0x50, 0x4B, 0x06, 0x07])
        let record = Int(original[locator + 8]) | Int(original[locator + 9]) << 8
        #expect(original[record..<record + 4] == [0x50, 0x4B, 0x06, 0x06])

        for (field, value) in [(32, UInt64(1) << 62), (40, UInt64.max), (48, UInt64(original.count)), (48, UInt64.max - 3)] {
            var bytes = original
            put64(&bytes, record + field, value)
            try refused(bytes, "ZIP64 record field \(field) = \(value)")
        }
        var badLocator = original
        put64(&badLocator, locator + 8, UInt64(original.count - 30))
        try refused(badLocator, "ZIP64 locator past record space")
        put64(&badLocator, locator + 8, UInt64.max)
        try refused(badLocator, "ZIP64 locator huge")
    }

    @Test(arguments: [0, 21, 5000])
    func notAZip(size: Int) throws {
        // Empty, shorter than an EOCD record, and 5000 'P' bytes (signature never completes).
        let path = try CheckpointFixtures.temporaryFile([UInt8](repeating: size > 21 ? 0x50 : 0, count: size))
        guard case .truncated = CheckpointFixtures.error({ _ = try ZipArchive(path: path) }) else {
            Issue.record("garbage must be refused"); return
        }
    }
}
