import Foundation
import Testing
@testable import Conversion
#if canImport(GGUF)
import GGUF  // MappedFile lives in GGUF in the main package
#endif

@Suite struct TorchCheckpointReaderTests {
    func read(_ name: String) throws -> [SourceTensor] {
        try TorchCheckpointReader.read(path: CheckpointFixtures.path(name))
    }

    @Test(arguments: ["state_dict.pt", "state_dict_p4.pt", "zip64.pt"])
    func readsStateDict(file: String) throws {
        let tensors = try read(file)
        try CheckpointFixtures.check(tensors, against: file + ".json")
    }

    @Test func viewsAndSharedStoragesPointIntoTheSameBytes() throws {
        let tensors = try read("state_dict.pt")
        let byName = Dictionary(uniqueKeysWithValues: tensors.map { ($0.name, $0) })
        let base = try #require(byName["shared_base"]?.data.baseAddress)
        let row = try #require(byName["shared_row"]?.data.baseAddress)
        #expect(row - base == 3 * 4)  // shared[1] starts 3 floats into the shared storage
        let zip = try ZipArchive(path: CheckpointFixtures.path("state_dict.pt"))
        // slice_view = big[4:7]: storage data/10 holds all 12 floats; the view starts at element 4.
        let storage = try zip.data(named: "state_dict/data/10")
        #expect(storage.count == 12 * 4)
        let view = try #require(byName["slice_view"])
        let viewOffset = try #require(view.data.baseAddress) - (try #require(view.file.buffer.baseAddress))
        let storageOffset = try #require(storage.baseAddress) - (try #require(zip.file.buffer.baseAddress))
        #expect(viewOffset - storageOffset == 4 * 4)
    }

    @Test func flattensNestedDictsAndLists() throws {
        try CheckpointFixtures.check(try read("nested.pt"), against: "nested.pt.json")
    }

    @Test func readsShardedCheckpoint() throws {
        let index = CheckpointFixtures.path("sharded_torch/pytorch_model.bin.index.json")
        try CheckpointFixtures.check(try TorchCheckpointReader.readSharded(indexPath: index), against: "sharded.json")
    }

    @Test(arguments: ["evil_global.pt", "evil_stack_global.pt"])
    func refusesOsSystem(file: String) {
        let e = CheckpointFixtures.error { _ = try read(file) }
        guard case .forbiddenGlobal(_, "os.system") = e else { Issue.record("wrong error: \(String(describing: e))"); return }
        #expect(e?.description == "\(file): pickle refers to forbidden global 'os.system'")
    }

    @Test func unknownOpcode() {
        let e = CheckpointFixtures.error { _ = try read("unknown_opcode.pt") }
        guard case .unknownOpcode(_, 0xFF, 5) = e else { Issue.record("wrong error: \(String(describing: e))"); return }
    }

    @Test(arguments: ["deep_marks.pt", "deep_lists.pt"])
    func deepNesting(file: String) {
        let e = CheckpointFixtures.error { _ = try read(file) }
        guard case .pickleLimit = e else { Issue.record("wrong error: \(String(describing: e))"); return }
    }

    @Test func nonContiguousTensor() {
        let e = CheckpointFixtures.error { _ = try read("non_contiguous.pt") }
        guard case .nonContiguous(_, "transposed", [3, 2], [1, 3]) = e else {
            Issue.record("wrong error: \(String(describing: e))"); return
        }
    }

    @Test func legacyFormat() {
        let e = CheckpointFixtures.error { _ = try read("legacy.pt") }
        guard case .legacyTorchFormat = e else { Issue.record("wrong error: \(String(describing: e))"); return }
        #expect(e?.description == "legacy.pt: legacy torch format, re-save with torch>=1.6")
    }

    @Test func refusedArchives() {
        guard case .unsupportedCompression = CheckpointFixtures.error({ _ = try read("compressed.pt") }) else {
            Issue.record("compressed"); return
        }
        guard case .unsupported = CheckpointFixtures.error({ _ = try read("big_endian.pt") }) else {
            Issue.record("big endian"); return
        }
        guard case .dataOutOfBounds(_, "f32_matrix", _) = CheckpointFixtures.error({ _ = try read("storage_too_small.pt") }) else {
            Issue.record("storage too small"); return
        }
        guard case .missingEntry(_, "state_dict/data/1") = CheckpointFixtures.error({ _ = try read("missing_storage.pt") }) else {
            Issue.record("missing storage"); return
        }
        guard case .truncated = CheckpointFixtures.error({ _ = try read("truncated.pt") }) else {
            Issue.record("truncated"); return
        }
        guard case .invalidZip = CheckpointFixtures.error({ _ = try read("bad_central_directory.pt") }) else {
            Issue.record("bad central directory"); return
        }
        guard case .unsupported = CheckpointFixtures.error({ _ = try read("state_dict.safetensors") }) else {
            Issue.record("safetensors is not a torch file"); return
        }
    }

    @Test func contiguity() {
        #expect(TorchCheckpointReader.isContiguous(shape: [], stride: []))
        #expect(TorchCheckpointReader.isContiguous(shape: [2, 3], stride: [3, 1]))
        #expect(TorchCheckpointReader.isContiguous(shape: [2, 1, 3], stride: [3, 99, 1]))  // size-1 dim: any stride
        #expect(TorchCheckpointReader.isContiguous(shape: [0, 3], stride: [7, 7]))  // empty
        #expect(!TorchCheckpointReader.isContiguous(shape: [2, 3], stride: [1, 2]))
        #expect(!TorchCheckpointReader.isContiguous(shape: [4], stride: [2]))
        #expect(!TorchCheckpointReader.isContiguous(shape: [4], stride: [-1]))
        #expect(!TorchCheckpointReader.isContiguous(shape: [1 << 40, 1 << 40], stride: [1 << 40, 1]))  // overflow
    }

    @Test func loaderDispatchesByContent() throws {
        try CheckpointFixtures.check(try CheckpointLoader.readTensors(path: CheckpointFixtures.path("state_dict.pt")),
                                     against: "state_dict.pt.json")
        try CheckpointFixtures.check(try CheckpointLoader.readTensors(path: CheckpointFixtures.path("state_dict.safetensors")),
                                     against: "state_dict.safetensors.json")
        try CheckpointFixtures.check(try CheckpointLoader.readTensors(path: CheckpointFixtures.path("sharded_torch")),
                                     against: "sharded.json")
        try CheckpointFixtures.check(try CheckpointLoader.readTensors(path: CheckpointFixtures.path("sharded_safetensors/")),
                                     against: "sharded.json")
        guard case .legacyTorchFormat = CheckpointFixtures.error({ _ = try CheckpointLoader.readTensors(path: CheckpointFixtures.path("legacy.pt")) }) else {
            Issue.record("legacy"); return
        }
        guard case .cannotOpen = CheckpointFixtures.error({ _ = try CheckpointLoader.readTensors(path: CheckpointFixtures.path("no-such-file")) }) else {
            Issue.record("missing file"); return
        }
    }
}
