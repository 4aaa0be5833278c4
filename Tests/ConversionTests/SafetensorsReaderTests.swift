import Foundation
import Testing
@testable import Conversion
#if canImport(GGUF)
import GGUF  // MappedFile lives in GGUF in the main package
#endif

@Suite struct SafetensorsReaderTests {
    /// A .safetensors file from a JSON header string and raw data bytes.
    func safetensors(_ header: String, data: [UInt8] = []) throws -> String {
        let h = Array(header.utf8)
        var bytes = withUnsafeBytes(of: UInt64(h.count).littleEndian) { Array($0) }
        bytes += h + data
        return try CheckpointFixtures.temporaryFile(bytes, name: "t.safetensors")
    }

    @Test func readsAllDtypesAndShapesInFileOrder() throws {
        let file = try MappedFile(path: CheckpointFixtures.path("state_dict.safetensors"))
        let contents = try SafetensorsReader.readContents(file: file)
        try CheckpointFixtures.check(contents.tensors, against: "state_dict.safetensors.json")
        #expect(contents.metadata == ["format": "pt"])
        // Data is laid out in the order returned, each tensor right after the previous one.
        let offsets = contents.tensors.map { $0.data.baseAddress.map { $0 - file.buffer.baseAddress! } ?? 0 }
        #expect(offsets == offsets.sorted())
    }

    @Test func readsShardedCheckpoint() throws {
        let tensors = try SafetensorsReader.readSharded(indexPath: CheckpointFixtures.path("sharded_safetensors/model.safetensors.index.json"))
        try CheckpointFixtures.check(tensors, against: "sharded.json")
        // Each shard is mapped once: tensors of the first shard share one MappedFile.
        #expect(tensors[0].file === tensors[1].file)
        #expect(tensors[0].file !== tensors[2].file)
    }

    @Test func shardMissingAnIndexedTensor() {
        let e = CheckpointFixtures.error {
            _ = try SafetensorsReader.readSharded(indexPath: CheckpointFixtures.path("sharded_missing/model.safetensors.index.json"))
        }
        guard case .missingTensor(_, "absent", "model-00001-of-00001.safetensors") = e else {
            Issue.record("wrong error: \(String(describing: e))"); return
        }
    }

    @Test func dataOffsetsPastEndOfFile() {
        let e = CheckpointFixtures.error { _ = try SafetensorsReader.read(path: CheckpointFixtures.path("bad_offsets.safetensors")) }
        guard case .dataOutOfBounds(_, "w", _) = e else { Issue.record("wrong error: \(String(describing: e))"); return }
        #expect(e?.description.hasPrefix("bad_offsets.safetensors: tensor 'w' data out of bounds") == true)
    }

    @Test func absurdHeaderLength() {
        let e = CheckpointFixtures.error { _ = try SafetensorsReader.read(path: CheckpointFixtures.path("huge_header.safetensors")) }
        guard case .headerTooLarge(_, let size) = e else { Issue.record("wrong error: \(String(describing: e))"); return }
        #expect(size == 1 << 62)
    }

    @Test func headerLengthPastEndOfFile() throws {
        var bytes = withUnsafeBytes(of: UInt64(1000).littleEndian) { Array($0) }
        bytes += Array("{}".utf8)
        let path = try CheckpointFixtures.temporaryFile(bytes)
        let e = CheckpointFixtures.error { _ = try SafetensorsReader.read(path: path) }
        guard case .truncated = e else { Issue.record("wrong error: \(String(describing: e))"); return }
        let tiny = try CheckpointFixtures.temporaryFile([1, 2, 3])
        guard case .truncated = CheckpointFixtures.error({ _ = try SafetensorsReader.read(path: tiny) }) else {
            Issue.record("a 3-byte file must be truncated"); return
        }
    }

    @Test func unknownDType() throws {
        let path = try safetensors(#"{"x":{"dtype":"F8_E4M3","shape":[1],"data_offsets":[0,1]}}"#, data: [0])
        let e = CheckpointFixtures.error { _ = try SafetensorsReader.read(path: path) }
        guard case .unknownDType(_, "x", "F8_E4M3") = e else { Issue.record("wrong error: \(String(describing: e))"); return }
    }

    @Test func sizeMismatch() throws {
        let path = try safetensors(#"{"x":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}"#, data: [0, 0, 0, 0])
        let e = CheckpointFixtures.error { _ = try SafetensorsReader.read(path: path) }
        guard case .sizeMismatch(_, "x", 8, 4) = e else { Issue.record("wrong error: \(String(describing: e))"); return }
    }

    @Test(arguments: [
        #"{"x":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}"#,  // unterminated object
        #"[1,2]"#,  // not an object
        #"{"x":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}"#,  // negative dimension
        #"{"x":{"dtype":"F32","shape":[1.5],"data_offsets":[0,4]}}"#,  // fractional dimension
        #"{"x":{"dtype":"F32","shape":[true],"data_offsets":[0,4]}}"#,  // boolean is not an int
        #"{"x":{"dtype":"F32","shape":[1],"data_offsets":[0]}}"#,  // one offset
        #"{"x":{"dtype":"F32","shape":[4294967296,4294967296,4294967296],"data_offsets":[0,4]}}"#,  // overflow
        #"{"x":{"dtype":"F32","shape":[99999999999999999999],"data_offsets":[0,4]}}"#,  // beyond Int
        #"{"__metadata__":{"a":1}}"#,  // metadata values must be strings
        #"{"x":"\ud800"}"#,  // lone surrogate
        "100k [",  // deep nesting, bounded recursion (expanded below to keep test output short)
    ])
    func invalidHeaders(header: String) throws {
        let text = header == "100k [" ? String(repeating: "[", count: 100_000) : header
        let path = try safetensors(text, data: [0, 0, 0, 0])
        let e = CheckpointFixtures.error { _ = try SafetensorsReader.read(path: path) }
        guard case .invalidHeader = e else { Issue.record("wrong error: \(String(describing: e))"); return }
    }

    @Test func decreasingOffsetsAndDuplicates() throws {
        let reversed = try safetensors(#"{"x":{"dtype":"U8","shape":[0],"data_offsets":[4,0]}}"#, data: [0, 0, 0, 0])
        guard case .dataOutOfBounds = CheckpointFixtures.error({ _ = try SafetensorsReader.read(path: reversed) }) else {
            Issue.record("decreasing offsets must be refused"); return
        }
        let dup = try safetensors(#"{"x":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"x":{"dtype":"U8","shape":[1],"data_offsets":[1,2]}}"#, data: [1, 2])
        guard case .duplicateTensor(_, "x") = CheckpointFixtures.error({ _ = try SafetensorsReader.read(path: dup) }) else {
            Issue.record("duplicate names must be refused"); return
        }
    }

    @Test func unalignedDataAndEscapedNames() throws {
        // Header of odd length: data starts unaligned. Name uses JSON escapes.
        let header = #"{"a\u00e9\n":{"dtype":"I16","shape":[2],"data_offsets":[1,5]},"b":{"dtype":"BF16","shape":[],"data_offsets":[5,7]}}"#
        let path = try safetensors(header, data: [0xEE, 0xFF, 0xFF, 0x02, 0x00, 0x80, 0x3F])
        let tensors = try SafetensorsReader.read(path: path)
        #expect(tensors.map(\.name) == ["a\u{e9}\n", "b"])
        #expect(try tensors[0].integers() == [-1, 2])
        #expect(tensors[1].shape == [])
        #expect(try tensors[1].floats() == [1.0])
    }
}
