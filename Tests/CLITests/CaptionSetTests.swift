import Foundation
import Testing
import TestSupport

/// caption-set: shards that merge into the full run, order-independent seeds.
@Suite(.serialized) struct CaptionSetTests {
    struct Setup {
        let dir: URL
        let lm: String
        let mmproj: String
        let images: String
    }

    /// The fixture LM and rn-a projector, and a folder of `count` numbered copies of the fixture images.
    func setup(count: Int) throws -> Setup {
        let dir = try Fixtures.temporaryDirectory()
        let lm = dir.appendingPathComponent("lm.gguf").path, mmproj = dir.appendingPathComponent("mm.gguf").path
        _ = try CLI.run(["convert", "lm", "--from", Fixtures.path("vision/lm"), "--out", lm, "--type", "f32"])
        _ = try CLI.run(["convert", "vision", "--clip", Fixtures.path("vision/rn-a/clip-jit.pt"),
                         "--projection", Fixtures.path("vision/rn-a/proj.ckpt"), "--out", mmproj, "--type", "f32"])
        let images = dir.appendingPathComponent("images")
        try FileManager.default.createDirectory(at: images, withIntermediateDirectories: true)
        for i in 0..<count {
            let src = Fixtures.url("vision/images/img\(i % 3)\(i % 3 == 1 ? ".png" : ".jpg")")
            try FileManager.default.copyItem(at: src, to: images.appendingPathComponent("val_\(1000 + i).\(src.pathExtension)"))
        }
        return Setup(dir: dir, lm: lm, mmproj: mmproj, images: images.path)
    }

    func captionSet(_ s: Setup, out: String, _ extra: [String] = []) throws -> CLIResult {
        try CLI.run(["caption-set", "-m", s.lm, "--mmproj", s.mmproj, "--images", s.images, "--out", out] + extra)
    }

    func results(_ path: String) throws -> [[String: Any]] {
        try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [[String: Any]] ?? []
    }

    func same(_ a: [[String: Any]], _ b: [[String: Any]]) -> Bool { NSArray(array: a).isEqual(to: b) }

    @Test func shardsMergeIntoTheFullRunEvenWhenSampling() throws {
        let s = try setup(count: 10)
        defer { try? FileManager.default.removeItem(at: s.dir) }
        let sampling = ["--temp", "1.0", "--seed", "7"]
        let full = s.dir.appendingPathComponent("full.json").path
        #expect(try captionSet(s, out: full, sampling).status == 0)
        var shards: [String] = []
        for i in 0..<3 {
            let out = s.dir.appendingPathComponent("shard\(i).json").path
            #expect(try captionSet(s, out: out, sampling + ["--shard", "\(i)/3"]).status == 0)
            shards.append(out)
        }
        let merged = s.dir.appendingPathComponent("merged.json").path
        let m = try CLI.run(["merge", "--out", merged] + shards.reversed())
        #expect(m.status == 0, "\(m.stderr)")
        #expect(same(try results(merged), try results(full)))
        // a different seed changes sampled captions
        let other = s.dir.appendingPathComponent("other.json").path
        #expect(try captionSet(s, out: other, ["--temp", "1.0", "--seed", "8"]).status == 0)
        #expect(!same(try results(other), try results(full)))
    }

    @Test func batchedDecodingGivesTheSameCaptions() throws {
        let s = try setup(count: 7)
        defer { try? FileManager.default.removeItem(at: s.dir) }
        let shots = s.dir.appendingPathComponent("shots.json")
        try Data("[{\"image\": \"images/val_1000.jpg\", \"caption\": \"a dog\"}, {\"image\": \"images/val_1001.png\", \"caption\": \"a cat\"}]".utf8).write(to: shots)
        for extra in [[], ["--shots", shots.path], ["--temp", "1.0", "--seed", "3"]] {
            let one = s.dir.appendingPathComponent("one.json").path, four = s.dir.appendingPathComponent("four.json").path
            for p in [one, four] { try? FileManager.default.removeItem(atPath: p); try? FileManager.default.removeItem(atPath: p + ".journal.jsonl") }
            #expect(try captionSet(s, out: one, extra).status == 0)
            let r = try captionSet(s, out: four, extra + ["--batch", "4"])
            #expect(r.status == 0, "\(r.stderr)")
            #expect(same(try results(one), try results(four)), "--batch 4 differs from --batch 1 with \(extra)")
        }
    }

    @Test func missingImagesAreReportedAndTheRestIsKept() throws {
        let s = try setup(count: 4)
        defer { try? FileManager.default.removeItem(at: s.dir) }
        try Data("not an image".utf8).write(to: URL(fileURLWithPath: s.images).appendingPathComponent("val_2000.jpg"))
        let out = s.dir.appendingPathComponent("out.json").path
        let r = try captionSet(s, out: out)
        #expect(r.status == 1)
        #expect(r.stderr.contains("val_2000.jpg") && r.stderr.contains("1 images failed"))
        #expect(try results(out).count == 4)
    }

    @Test func malformedShotsFileNamesFileAndPosition() throws {
        let s = try setup(count: 1)
        defer { try? FileManager.default.removeItem(at: s.dir) }
        let shots = s.dir.appendingPathComponent("shots.json")
        try Data("[{\"image\": \"a.jpg\", \"caption\": \"x\"},\n {\"image\": oops}]".utf8).write(to: shots)
        let out = s.dir.appendingPathComponent("out.json").path
        let r = try captionSet(s, out: out, ["--shots", shots.path])
        #expect(r.status == 1)
        #expect(r.stderr.contains("shots.json:2:12: malformed JSON"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out))
    }

    @Test func captionPrintsOneLinePerImageAndReportsFailures() throws {
        let s = try setup(count: 2)
        defer { try? FileManager.default.removeItem(at: s.dir) }
        let a = s.images + "/val_1000.jpg", b = s.images + "/val_1001.png"
        let one = try CLI.run(["caption", "-m", s.lm, "--mmproj", s.mmproj, a])
        #expect(one.status == 0 && one.stdout.split(separator: "\n").count == 1 && !one.stdout.contains("\t"))
        let r = try CLI.run(["caption", "-m", s.lm, "--mmproj", s.mmproj, a, "/nonexistent.jpg", b])
        #expect(r.status == 1)
        let lines = r.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 4 && lines[0].hasPrefix(a + "\t") && lines[2].hasPrefix(b + "\t"), "\(r.stdout)")
        #expect(lines[0].dropFirst(a.count + 1) == one.stdout.dropLast(), "the same caption alone or in a list")
        #expect(r.stderr.contains("/nonexistent.jpg") && r.stderr.contains("1 of 3 images failed"))
    }

    @Test func tooManyShotsAreRefusedWithTheTokensNeeded() throws {
        let s = try setup(count: 3)
        defer { try? FileManager.default.removeItem(at: s.dir) }
        let long = String(repeating: "a dog on a beach ", count: 150)
        let shots = s.dir.appendingPathComponent("shots.json")
        try JSONSerialization.data(withJSONObject: (0..<3).map { ["image": "images/val_100\($0).\($0 == 1 ? "png" : "jpg")", "caption": long] })
            .write(to: shots)
        let out = s.dir.appendingPathComponent("out.json").path
        let r = try captionSet(s, out: out, ["--shots", shots.path])
        #expect(r.status == 1)
        #expect(r.stderr.contains("needs") && r.stderr.contains("context holds 2048"), "\(r.stderr)")
        #expect(!r.stderr.contains("images/min"), "refused before any image was captioned")
    }

    @Test func aJournalFromOtherSettingsIsRefused() throws {
        let s = try setup(count: 2)
        defer { try? FileManager.default.removeItem(at: s.dir) }
        let out = s.dir.appendingPathComponent("out.json").path
        #expect(try captionSet(s, out: out).status == 0)
        let r = try captionSet(s, out: out, ["--max-tokens", "5"])
        #expect(r.status == 1 && r.stderr.contains("other settings"), "\(r.stderr)")
    }
}
