import Foundation
import Testing
import TestSupport

/// caption-set and vqa killed with SIGKILL at random moments (during load, mid-run, while writing the
/// final file), resumed each time: the final output equals an uninterrupted run's, every item is
/// journaled once, and a torn last journal line is dropped.
@Suite(.serialized) struct CrashSafetyTests {
    static let val = Fixtures.repoRoot.appendingPathComponent("models/val")

    static let jobs: [String: [String]] = [
        "caption-set": ["caption-set", "--images", val.appendingPathComponent("images").path, "--limit", "30", "--threads", "1"],
        "vqa": ["vqa", "--images", val.appendingPathComponent("images").path, "--questions", val.appendingPathComponent("questions.json").path,
                "--limit", "45", "--threads", "1"],
    ]

    func results(_ path: String) throws -> NSArray {
        try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? NSArray ?? []
    }

    func journalLines(_ path: String) -> [Substring] {
        (try? String(contentsOfFile: path, encoding: .utf8))?.split(separator: "\n", omittingEmptySubsequences: false) ?? []
    }

    @Test(arguments: ["caption-set", "vqa"])
    func randomKillsThenResumeEqualAnUninterruptedRun(job: String) throws {
        let args = try #require(Self.jobs[job])
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let full = dir.appendingPathComponent("full.json").path
        let start = Date()
        let clean = try CLI.run(args + ["--out", full])
        #expect(clean.status == 0, "\(clean.stderr)")
        let cleanSeconds = Date().timeIntervalSince(start)
        let expected = try results(full)
        #expect(expected.count > 0)

        let out = dir.appendingPathComponent("resumed.json").path
        let journal = out + ".journal.jsonl"
        var rng = SplitMix64(seed: job == "vqa" ? 7 : 11)
        var kills = 0, finished = false
        for attempt in 0..<16 where !finished {
            let p = Process()
            p.executableURL = Fixtures.glimpseBinary
            p.arguments = args + ["--out", out]
            p.standardError = FileHandle.nullDevice
            p.standardOutput = FileHandle.nullDevice
            // Kill right after startup, after 1-4 more journaled results, or at a random moment.
            let before = journalLines(journal).count
            let mode = attempt % 3
            let delay = mode == 0 ? Double.random(in: 0...0.02, using: &rng) : Double.random(in: 0...(cleanSeconds / 2), using: &rng)
            let wanted = Int.random(in: 1...4, using: &rng)
            try p.run()
            let deadline = Date().addingTimeInterval(mode == 1 ? 60 : delay)
            while p.isRunning && Date() < deadline && !(mode == 1 && journalLines(journal).count >= before + wanted) { usleep(200) }
            if p.isRunning { kill(p.processIdentifier, SIGKILL); kills += 1 }
            p.waitUntilExit()
            finished = p.terminationReason == .exit && p.terminationStatus == 0
            if attempt == 4, !finished, let h = FileHandle(forWritingAtPath: journal) {
                // A torn last line, as a kill in the middle of a write leaves it.
                h.seekToEndOfFile()
                h.write(Data("{\"image_id\":99,\"capt".utf8))
                try h.close()
            }
        }
        print("[measured] \(job): killed \(kills) times before a run finished")
        #expect(kills >= 4, "too few runs were killed to test anything (\(kills))")
        let r = try CLI.run(args + ["--out", out])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("resuming"))
        #expect(try results(out).isEqual(to: expected as? [Any] ?? []), "resumed output differs from an uninterrupted run")
        let lines = journalLines(journal).dropFirst().filter { !$0.isEmpty }
        #expect(lines.count == expected.count, "every item journaled exactly once")
        #expect(lines.allSatisfy { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) is [String: Any] }, "a torn line survived")
        // Only the outputs and the journals remain: temporary files of killed writers are cleaned up.
        let left = Set(try FileManager.default.contentsOfDirectory(atPath: dir.path))
        #expect(left.allSatisfy { !$0.contains(".tmp-") }, "\(left.sorted())")
    }
}
