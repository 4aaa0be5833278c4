import Foundation
import GGUF
import Testing
import TestSupport

/// The subcommands end to end on the tiny model.
@Suite(.serialized) struct CommandTests {
    static let tinyModel = Fixtures.path("gguf/tiny-gguf-py-f32.gguf")

    @Test func helpListsEveryCommand() throws {
        let r = try CLI.run(["--help"])
        #expect(r.status == 0)
        for command in ["generate", "score", "rank", "caption", "caption-set", "vqa", "merge", "embed-image", "convert", "quantize", "inspect", "synth", "bench"] {
            #expect(r.stdout.contains(command), "\(command) missing from --help")
        }
        let g = try CLI.run(["generate", "--help"])
        #expect(g.status == 0 && g.stdout.contains("--max-tokens") && g.stdout.contains("Example:"))
    }

    @Test func benchReportsEveryFigure() throws {
        let r = try CLI.run(["bench", "-m", Self.tinyModel, "--reps", "2", "--gen", "4", "--image-tokens", "4", "--text-tokens", "4", "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let obj = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any] ?? [:]
        for key in ["load_ms", "prompt_tok_s", "gen_tok_s", "read_gb_s", "roofline_tok_s", "decode_vs_roofline", "peak_rss_mb", "prompt_gflop_s"] {
            #expect(obj[key] != nil, "\(key) missing")
        }
        // 3 blocks x (4 x 64x64 + 2 x 64x256) f32 matrices + the 512x64 lm_head, in bytes
        #expect(obj["weight_bytes_per_token"] as? Double == Double(3 * (4 * 64 * 64 + 2 * 64 * 256) + 512 * 64) * 4)
        #expect((obj["gen_tok_s"] as? [String: Double])?["median"] ?? 0 > 0)
        // each run against its own probes: a median between positive extremes
        let ratio = obj["decode_vs_roofline"] as? [String: Double] ?? [:]
        let (lo, mid, hi) = (ratio["min"] ?? 0, ratio["median"] ?? 0, ratio["max"] ?? 0)
        #expect(lo > 0 && lo <= mid && mid <= hi, "\(ratio)")
    }

    @Test func generateStreamsGreedyTextAndTimings() throws {
        let r = try CLI.run(["generate", "-m", Self.tinyModel, "-p", "The quick brown fox", "--temp", "0", "-n", "8"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.hasSuffix("\n"))
        #expect(r.stderr.contains("prompt: 10 tokens"))
        #expect(r.stderr.contains("generated: 8 tokens"))
    }

    @Test func jsonMatchesReferenceGreedyIDs() throws {
        let ref = try Fixtures.json("gptj/tiny/reference.json") as? [String: Any]
        let c = try #require((ref?["cases"] as? [[String: Any]])?.first)
        let r = try CLI.run(["generate", "-m", Self.tinyModel, "-p", c["prompt"] as? String ?? "", "--temp", "0",
                             "-n", "32", "--ignore-eos", "--json", "--top-logprobs", "3"])
        #expect(r.status == 0, "\(r.stderr)")
        let obj = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
        let tokens = obj?["tokens"] as? [[String: Any]] ?? []
        #expect(obj?["prompt_ids"] as? [Int] == c["prompt_ids"] as? [Int])
        #expect(tokens.compactMap { $0["id"] as? Int } == c["greedy_ids"] as? [Int])
        for t in tokens {
            let top = t["top_logprobs"] as? [[String: Any]] ?? []
            #expect(top.count == 3)
            // greedy picks the most likely token, so it heads the alternatives with the same logprob
            #expect(top.first?["id"] as? Int == t["id"] as? Int)
            #expect(abs((top.first?["logprob"] as? Double ?? 0) - (t["logprob"] as? Double ?? 1)) < 1e-6)
        }
    }

    @Test func stopStringEndsGenerationUnprinted() throws {
        // find what greedy produces, then stop on a piece of it
        let base = try CLI.run(["generate", "-m", Self.tinyModel, "-p", "Once upon a time", "--temp", "0", "-n", "24", "--ignore-eos", "--json"])
        let obj = try JSONSerialization.jsonObject(with: Data(base.stdout.utf8)) as? [String: Any]
        let text = obj?["text"] as? String ?? ""
        let scalars = Array(text.unicodeScalars)
        try #require(scalars.count > 6, "greedy text too short: \(text)")
        let stop = String(String.UnicodeScalarView(scalars[4..<6]))
        let r = try CLI.run(["generate", "-m", Self.tinyModel, "-p", "Once upon a time", "--temp", "0", "-n", "24",
                             "--ignore-eos", "--stop", stop])
        #expect(r.status == 0)
        let expected = String(text[..<(text.range(of: stop)?.lowerBound ?? text.endIndex)])
        #expect(r.stdout == expected + "\n")
    }

    @Test func scoreMatchesReferenceLogprobs() throws {
        let ref = try Fixtures.json("gptj/tiny/reference.json") as? [String: Any]
        let c = try #require((ref?["cases"] as? [[String: Any]])?.first)
        let r = try CLI.run(["score", "-m", Self.tinyModel, "-p", c["prompt"] as? String ?? "",
                             "--continuation", c["continuation"] as? String ?? "", "--kv-type", "f32"])
        #expect(r.status == 0, "\(r.stderr)")
        let obj = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
        #expect(obj?["continuation_ids"] as? [Int] == c["continuation_ids"] as? [Int])
        let got = obj?["logprobs"] as? [Double] ?? []
        let want = c["continuation_logprobs"] as? [Double] ?? []
        #expect(got.count == want.count)
        for (a, b) in zip(got, want) { #expect(abs(a - b) < 1e-3) }
        #expect(abs((obj?["sum"] as? Double ?? 0) - (c["continuation_logprob_sum"] as? Double ?? 1)) < 1e-2)
    }

    @Test func convertQuantizeAndInspect() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let f16 = dir.appendingPathComponent("m-f16.gguf").path, q4 = dir.appendingPathComponent("m-q4_0.gguf").path
        let c = try CLI.run(["convert", "lm", "--from", Fixtures.path("gptj/tiny/hf-sharded"), "--out", f16, "--type", "f16"])
        #expect(c.status == 0, "\(c.stderr)")
        let q = try CLI.run(["quantize", f16, q4, "--type", "q4_0"])
        #expect(q.status == 0, "\(q.stderr)")
        let i = try CLI.run(["inspect", q4, "--json"])
        let obj = try JSONSerialization.jsonObject(with: Data(i.stdout.utf8)) as? [String: Any]
        let tensors = obj?["tensors"] as? [[String: Any]] ?? []
        #expect(tensors.count == 35)
        #expect(tensors.first { $0["name"] as? String == "blk.0.attn_q.weight" }?["type"] as? String == "q4_0")
        #expect(tensors.first { $0["name"] as? String == "blk.0.ffn_up.bias" }?["type"] as? String == "f32")
        let g = try CLI.run(["generate", "-m", q4, "-p", "The quick brown fox", "--temp", "0", "-n", "4"])
        #expect(g.status == 0, "\(g.stderr)")
        // the same blocks regrouped by 8 rows: the same greedy text
        let x8 = dir.appendingPathComponent("m-q4_0x8.gguf").path
        let r = try CLI.run(["quantize", q4, x8, "--type", "q4_0x8"])
        #expect(r.status == 0, "\(r.stderr)")
        let ix = try JSONSerialization.jsonObject(with: Data(try CLI.run(["inspect", x8, "--json"]).stdout.utf8)) as? [String: Any]
        let xt = ix?["tensors"] as? [[String: Any]] ?? []
        #expect(xt.first { $0["name"] as? String == "blk.0.attn_q.weight" }?["type"] as? String == "q4_0x8")
        let gx = try CLI.run(["generate", "-m", x8, "-p", "The quick brown fox", "--temp", "0", "-n", "4"])
        #expect(gx.status == 0 && gx.stdout == g.stdout && !g.stdout.isEmpty, "\(gx.stdout) vs \(g.stdout)")
        // requantizing Q4_0's values gives Q4_0's blocks again: every tensor decodes to the same floats
        let plainFile = try GGUFFile(path: q4), groupedFile = try GGUFFile(path: x8)
        for info in plainFile.tensorInfos {
            #expect(try groupedFile.tensor(info.name).floats() == plainFile.tensor(info.name).floats(), "\(info.name)")
        }
    }
}
