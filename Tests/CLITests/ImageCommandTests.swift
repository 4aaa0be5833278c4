import Foundation
import Testing
import TestSupport

/// The vision commands end to end: convert vision, embed-image, generate/score with images, and bad input.
@Suite(.serialized) struct ImageCommandTests {

    /// Converts the fixture LM and rn-a projector once per test into a temporary folder.
    func models() throws -> (dir: URL, lm: String, mmproj: String) {
        let dir = try Fixtures.temporaryDirectory()
        let lm = dir.appendingPathComponent("lm.gguf").path, mmproj = dir.appendingPathComponent("rn-a.gguf").path
        let a = try CLI.run(["convert", "lm", "--from", Fixtures.path("vision/lm"), "--out", lm, "--type", "f32"])
        #expect(a.status == 0, "\(a.stderr)")
        let b = try CLI.run(["convert", "vision", "--clip", Fixtures.path("vision/rn-a/clip-jit.pt"),
                             "--projection", Fixtures.path("vision/rn-a/proj.ckpt"), "--out", mmproj, "--type", "f32"])
        #expect(b.status == 0, "\(b.stderr)")
        return (dir, lm, mmproj)
    }

    @Test func embedImageWritesEachStage() throws {
        let (dir, _, mmproj) = try models()
        defer { try? FileManager.default.removeItem(at: dir) }
        let image = Fixtures.path("vision/images/img1.png")
        for (stage, refName, shape) in [("pixels", "img1_px64", [3, 64, 64]), ("grid", "rn-a_img1_grid", [4, 128]), ("tokens", "rn-a_img1_soft", [4, 64])] {
            let out = dir.appendingPathComponent("\(stage).npy")
            let r = try CLI.run(["embed-image", "--mmproj", mmproj, "--image", image, "--out", out.path, "--stage", stage])
            #expect(r.status == 0, "\(r.stderr)")
            let got = try NPYArray(url: out), want = try NPYArray(url: Fixtures.url("vision/ref/\(refName).npy"))
            #expect(got.shape == shape)
            var d: Float = 0, m: Float = 0
            for i in 0..<min(got.values.count, want.values.count) { d = max(d, abs(got.values[i] - want.values[i])); m = max(m, abs(want.values[i])) }
            #expect(d <= 1e-4 * m, "\(stage): max|diff| \(d) vs max|ref| \(m)")
        }
    }

    /// A quantized projector keeps its convolutions f16 (ggml's blocks would run along kx, which is not a
    /// multiple of 32) and quantizes the projection; its soft tokens stay close to the f32 file's.
    @Test(arguments: ["q8_0", "q8_0x8"])
    func quantizedProjectorKeepsConvolutionsF16(type: String) throws {
        let (dir, _, mmproj) = try models()
        defer { try? FileManager.default.removeItem(at: dir) }
        let quantized = dir.appendingPathComponent("rn-a-\(type).gguf").path
        let c = try CLI.run(["convert", "vision", "--clip", Fixtures.path("vision/rn-a/clip-jit.pt"),
                             "--projection", Fixtures.path("vision/rn-a/proj.ckpt"), "--out", quantized, "--type", type])
        #expect(c.status == 0, "\(c.stderr)")
        let info = try JSONSerialization.jsonObject(with: Data(try CLI.run(["inspect", quantized, "--json"]).stdout.utf8)) as? [String: Any]
        let tensors = info?["tensors"] as? [[String: Any]] ?? []
        func stored(_ name: String) -> String? { tensors.first { $0["name"] as? String == name }?["type"] as? String }
        #expect(stored("v.stem.conv1.weight") == "f16")
        #expect(stored("mm.proj.weight") == type)
        var tokens: [[Float]] = []
        for file in [mmproj, quantized] {
            let out = dir.appendingPathComponent("tokens.npy")
            let r = try CLI.run(["embed-image", "--mmproj", file, "--image", Fixtures.path("vision/images/img1.png"), "--out", out.path, "--stage", "tokens"])
            #expect(r.status == 0, "\(r.stderr)")
            tokens.append(try NPYArray(url: out).values)
        }
        var d: Float = 0, m: Float = 0
        for i in 0..<min(tokens[0].count, tokens[1].count) { d = max(d, abs(tokens[0][i] - tokens[1][i])); m = max(m, abs(tokens[0][i])) }
        #expect(tokens[0].count == tokens[1].count && d <= 0.02 * m, "max|diff| \(d) vs max|token| \(m)")
    }

    @Test func generateWithImagesMatchesReferenceGreedy() throws {
        let (dir, lm, mmproj) = try models()
        defer { try? FileManager.default.removeItem(at: dir) }
        let reference = try Fixtures.json("vision/reference.json") as? [String: Any] ?? [:]
        let cases = (reference["lm"] as? [String: Any])?["cases"] as? [[String: Any]] ?? []
        let fewshot = try #require(cases.first { $0["name"] as? String == "rn-a_fewshot" })
        let imgs = (0..<3).flatMap { ["--image", Fixtures.path("vision/images/img\($0)\($0 == 1 ? ".png" : ".jpg")")] }
        let r = try CLI.run(["generate", "-m", lm, "--mmproj", mmproj] + imgs +
                            ["-p", "<image>A picture of a dog.<image>A picture of a cat.<image>A picture of",
                             "--temp", "0", "-n", "16", "--ignore-eos", "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let obj = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
        let ids = (obj?["tokens"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? Int }
        #expect(ids == fewshot["greedy_ids"] as? [Int])
    }

    @Test func scoreWithAnImageMatchesReferenceLogprobs() throws {
        let (dir, lm, mmproj) = try models()
        defer { try? FileManager.default.removeItem(at: dir) }
        let reference = try Fixtures.json("vision/reference.json") as? [String: Any] ?? [:]
        let cases = (reference["lm"] as? [String: Any])?["cases"] as? [[String: Any]] ?? []
        let c = try #require(cases.first { $0["name"] as? String == "rn-a_img0" })
        // no marker: the image goes before the text, as LiMBeR's default prompt
        let r = try CLI.run(["score", "-m", lm, "--mmproj", mmproj, "--image", Fixtures.path("vision/images/img0.jpg"),
                             "-p", "A picture of", "--continuation", c["continuation"] as? String ?? "", "--kv-type", "f32"])
        #expect(r.status == 0, "\(r.stderr)")
        let obj = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
        let got = obj?["logprobs"] as? [Double] ?? [], want = c["continuation_logprobs"] as? [Double] ?? []
        #expect(got.count == want.count && !want.isEmpty)
        for (a, b) in zip(got, want) { #expect(abs(a - b) < 1e-3) }
        // the four soft tokens are reported as nulls among the prompt ids
        #expect((obj?["prompt_ids"] as? [Any])?.prefix(4).allSatisfy { $0 is NSNull } == true)
    }

    @Test func rankScoresEachCandidateAsScoreWould() throws {
        let (dir, lm, mmproj) = try models()
        defer { try? FileManager.default.removeItem(at: dir) }
        let reference = try Fixtures.json("vision/reference.json") as? [String: Any] ?? [:]
        let cases = (reference["lm"] as? [String: Any])?["cases"] as? [[String: Any]] ?? []
        let c = try #require(cases.first { $0["name"] as? String == "rn-a_img0" })
        let truth = c["continuation"] as? String ?? ""
        let others = [" a blue square.", " two dogs"]
        let file = dir.appendingPathComponent("candidates.txt")
        try ((others + [truth]).joined(separator: "\n") + "\n").write(to: file, atomically: true, encoding: .utf8)
        let common = ["-m", lm, "--mmproj", mmproj, "--image", Fixtures.path("vision/images/img0.jpg"), "-p", "A picture of", "--kv-type", "f32"]
        let r = try CLI.run(["rank"] + common + ["--candidates", file.path])
        #expect(r.status == 0, "\(r.stderr)")
        let rows = ((try JSONSerialization.jsonObject(with: Data(r.stdout.utf8))) as? [String: Any])?["ranking"] as? [[String: Any]] ?? []
        #expect(rows.count == 3)
        let byText = Dictionary(uniqueKeysWithValues: rows.map { ($0["candidate"] as? String ?? "", $0["logprob"] as? Double ?? 0) })
        #expect(abs((byText[truth] ?? 0) - (c["continuation_logprob_sum"] as? Double ?? 1)) < 1e-3)
        #expect((rows.first?["logprob"] as? Double ?? 0) >= (rows.last?["logprob"] as? Double ?? 0), "best first")
        for other in others {
            let s = try CLI.run(["score"] + common + ["--continuation", other])
            let sum = ((try JSONSerialization.jsonObject(with: Data(s.stdout.utf8))) as? [String: Any])?["sum"] as? Double
            #expect(abs((sum ?? 0) - (byText[other] ?? 1)) < 1e-4, "the shared prefix gives the same numbers as a fresh run")
        }
    }

    @Test func badImageInputs() throws {
        let (dir, lm, mmproj) = try models()
        defer { try? FileManager.default.removeItem(at: dir) }
        let good = Fixtures.path("vision/images/img0.jpg")
        // marker / image count mismatch
        let m = try CLI.run(["generate", "-m", lm, "--mmproj", mmproj, "--image", good, "-p", "<image>a<image>b", "-n", "1"])
        #expect(m.status == 1 && m.stderr.contains("2 <image> markers but 1 image"), "\(m.stderr)")
        // projector width differs from the LM's
        let wide = dir.appendingPathComponent("wide.gguf").path
        _ = try CLI.run(["convert", "lm", "--from", Fixtures.path("gptj/gpt2vocab/hf"), "--out", wide, "--type", "f16"])
        let w = try CLI.run(["generate", "-m", wide, "--mmproj", mmproj, "--image", good, "-p", "<image>a", "-n", "1"])
        #expect(w.status == 1 && w.stderr.contains("n_embd is 32"), "\(w.stderr)")
        // not an image / truncated image / missing image
        let notImage = dir.appendingPathComponent("notes.txt")
        try Data("hello".utf8).write(to: notImage)
        let truncated = dir.appendingPathComponent("cut.jpg")
        try Data(contentsOf: URL(fileURLWithPath: good)).prefix(600).write(to: truncated)
        for (path, needle) in [(notImage.path, "unsupported image format"), (truncated.path, "cut.jpg"), ("/nonexistent.png", "/nonexistent.png")] {
            let out = dir.appendingPathComponent("x.npy").path
            let r = try CLI.run(["embed-image", "--mmproj", mmproj, "--image", path, "--out", out])
            #expect(r.status == 1, "\(path): \(r.stderr)")
            #expect(r.stderr.split(separator: "\n").count == 1 && r.stderr.contains(needle), "\(r.stderr)")
            #expect(!FileManager.default.fileExists(atPath: out))
        }
        // --image without --mmproj takes the shipped projector, whose tokens do not fit this model
        let u = try CLI.run(["generate", "-m", lm, "--image", good, "-p", "x"])
        #expect(u.status == 1 && u.stderr.contains("glimpse-shapes-mmproj-f16.gguf") && u.stderr.contains("n_embd is 64"), "\(u.stderr)")
    }
}
