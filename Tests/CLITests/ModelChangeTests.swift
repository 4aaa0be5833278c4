import Foundation
import Testing
import TestSupport

/// A model file changed under a long run: truncated (reads past the new end would be SIGBUS), modified
/// in place, or replaced. The run stops with one line naming the file and exit status 1, nothing
/// computed after the change is journaled, and a later run refuses to resume with the changed file.
@Suite(.serialized) struct ModelChangeTests {
    static let models = Fixtures.repoRoot.appendingPathComponent("models")

    enum Change: String, CaseIterable { case truncated, modifiedInPlace, replaced }

    @Test(arguments: Change.allCases)
    func aChangedModelStopsTheRun(change: Change) throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let lm = dir.appendingPathComponent("lm.gguf")
        try FileManager.default.copyItem(at: Self.models.appendingPathComponent("glimpse-shapes-q8_0.gguf"), to: lm)
        let out = dir.appendingPathComponent("captions.json").path, journal = out + ".journal.jsonl"
        let args = ["caption-set", "-m", lm.path, "--images", Self.models.appendingPathComponent("val/images").path,
                    "--threads", "1", "--out", out]
        let p = Process()
        p.executableURL = Fixtures.glimpseBinary
        p.arguments = args
        let err = Pipe()
        p.standardError = err
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        func journaled() -> Int { ((try? String(contentsOfFile: journal, encoding: .utf8)) ?? "").split(separator: "\n").count - 1 }
        while p.isRunning && journaled() < 3 { usleep(1000) }
        let size = try #require(try FileManager.default.attributesOfItem(atPath: lm.path)[.size] as? Int)
        switch change {
        case .truncated:
            #expect(truncate(lm.path, off_t(size / 2)) == 0)
        case .modifiedInPlace:
            let h = try FileHandle(forWritingTo: lm)
            try h.seek(toOffset: UInt64(size - 4096))
            try h.write(contentsOf: Data(repeating: 0x11, count: 1024))
            try h.close()
        case .replaced:
            let other = dir.appendingPathComponent("other.gguf")
            try FileManager.default.copyItem(at: lm, to: other)
            #expect(rename(other.path, lm.path) == 0)
        }
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationReason == .exit && p.terminationStatus == 1, "\(change): \(p.terminationReason.rawValue) \(p.terminationStatus) \(stderr)")
        let last = stderr.split(separator: "\n").last.map(String.init) ?? ""
        #expect(last.hasPrefix("glimpse: error: \(lm.path): "), "\(last)")
        #expect(["shrank", "changed size", "was modified", "was replaced"].contains { last.contains($0) }, "\(last)")
        #expect(!FileManager.default.fileExists(atPath: out))
        // Every journaled line is whole, and resuming with the changed file is refused.
        let lines = ((try? String(contentsOfFile: journal, encoding: .utf8)) ?? "").split(separator: "\n")
        #expect(lines.allSatisfy { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) != nil })
        if change != .truncated {
            let again = try CLI.run(args)
            #expect(again.status == 1 && again.stderr.contains(journal), "\(again.stderr)")
        }
    }

    /// Truncated while a single long computation reads it (no point between items to check): the
    /// SIGBUS that the kernel sends becomes the same one-line error instead of a crash.
    @Test func truncationDuringAComputationIsAnErrorNotACrash() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let lm = dir.appendingPathComponent("lm.gguf")
        try FileManager.default.copyItem(at: Self.models.appendingPathComponent("glimpse-shapes-q8_0.gguf"), to: lm)
        let p = Process()
        p.executableURL = Fixtures.glimpseBinary
        p.arguments = ["bench", "-m", lm.path, "--reps", "100", "--gen", "100", "--threads", "1"]  // loads all reps first (~0.5 s), then ~10 s of compute
        let err = Pipe()
        p.standardError = err
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        usleep(3_000_000)
        #expect(p.isRunning, "bench finished before the file could be truncated")
        #expect(truncate(lm.path, 1_000_000) == 0)
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationReason == .exit && p.terminationStatus == 1, "\(p.terminationReason.rawValue) \(stderr)")
        #expect(stderr == "glimpse: error: \(lm.path): the file shrank while in use (truncated or rewritten in place); results written so far are kept\n")
    }
}
