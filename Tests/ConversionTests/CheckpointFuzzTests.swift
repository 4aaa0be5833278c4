import Foundation
import Testing
import TestSupport
@testable import Conversion
#if canImport(GGUF)
import GGUF  // MappedFile lives in GGUF in the main package
#endif

/// Mutated and truncated copies of valid fixtures: every outcome must be success or a
/// CheckpointError (a trap or out-of-bounds read would crash the test process).
@Suite struct CheckpointFuzzTests {
    /// Mutates 1-4 bytes among the last `window` bytes (all by default); half the time a byte is
    /// set to an "interesting" value.
    func mutate(_ bytes: [UInt8], _ rng: inout SplitMix64, window: Int? = nil) -> [UInt8] {
        var out = bytes
        let span = min(window ?? out.count, out.count)
        for _ in 0...rng.below(4) {
            let i = out.count - span + rng.below(span)
            let interesting: [UInt8] = [0x00, 0xFF, 0x7F, 0x80, 0x28, 0x5D, 0x71, 0x68, 0x52]
            out[i] = rng.below(2) == 0 ? interesting[rng.below(interesting.count)] : UInt8(truncatingIfNeeded: rng.next())
        }
        return out
    }

    /// Reads every tensor fully, so a view outside the mapping would be touched.
    func readAll(_ path: String) throws {
        for t in try CheckpointLoader.readFile(path: path) {
            _ = try t.doubles()
        }
    }

    @Test func mutatedPickles() throws {
        let zip = try ZipArchive(path: CheckpointFixtures.path("state_dict_p4.pt"))
        let pickle = Array(try zip.data(named: "state_dict_p4/data.pkl"))
        var rng = SplitMix64(seed: 42)
        var failures = 0
        for _ in 0..<2000 {
            let bytes = mutate(pickle, &rng)
            do {
                let object = try bytes.withUnsafeBytes { try RestrictedUnpickler(bytes: $0, fileName: "data.pkl").load() }
                _ = try TorchCheckpointReader.flatten(object, path: "data.pkl")
            } catch is CheckpointError {
                failures += 1
            }
        }
        #expect(failures > 0)
    }

    /// Whole-file mutations, and mutations of the last 1 KiB of zips (central directory, end records).
    @Test(arguments: [("state_dict.pt", nil), ("state_dict.pt", 1024), ("zip64.pt", nil), ("zip64.pt", 1024),
                      ("state_dict.safetensors", nil)] as [(String, Int?)])
    func mutatedFiles(name: String, window: Int?) throws {
        let original = try CheckpointFixtures.bytes(name)
        let path = try CheckpointFixtures.temporaryFile([], name: name)
        var rng = SplitMix64(seed: UInt64(original.count))
        for _ in 0..<200 {
            // Atomic write: each round maps a fresh file, never one being rewritten.
            try Data(mutate(original, &rng, window: window)).write(to: URL(fileURLWithPath: path), options: .atomic)
            do { try readAll(path) } catch is CheckpointError {}
        }
    }

    @Test(arguments: ["state_dict.pt", "state_dict.safetensors"])
    func truncatedFiles(name: String) throws {
        let original = try CheckpointFixtures.bytes(name)
        let path = try CheckpointFixtures.temporaryFile([], name: name)
        var failures = 0
        for length in stride(from: 0, to: original.count, by: 11) {
            try Data(original[0..<length]).write(to: URL(fileURLWithPath: path), options: .atomic)
            do { try readAll(path) } catch is CheckpointError { failures += 1 }
        }
        #expect(failures == (original.count + 10) / 11)  // every proper prefix is refused
    }
}
