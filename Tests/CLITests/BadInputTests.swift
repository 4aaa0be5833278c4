import Foundation
import GGUF
import Testing
import TestSupport

/// Every kind of bad input ends in one line on stderr naming the file and the problem, a non-zero
/// exit, no trap, and no output file left behind.
@Suite(.serialized) struct BadInputTests {
    static let tinyModel = Fixtures.path("gguf/tiny-gguf-py-f32.gguf")

    func expectCleanFailure(_ r: CLIResult, mentions needles: [String], sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(r.status == 1, "exit status \(r.status), stderr: \(r.stderr)", sourceLocation: sourceLocation)
        let lines = r.stderr.split(separator: "\n")
        #expect(lines.count == 1, "expected one line on stderr, got: \(r.stderr)", sourceLocation: sourceLocation)
        #expect(r.stderr.hasPrefix("glimpse: error: "), sourceLocation: sourceLocation)
        for n in needles { #expect(r.stderr.contains(n), "'\(n)' not in: \(r.stderr)", sourceLocation: sourceLocation) }
        #expect(r.stdout.isEmpty, "nothing on stdout: \(r.stdout)", sourceLocation: sourceLocation)
    }

    @Test func missingModelFile() throws {
        let r = try CLI.run(["generate", "-m", "/nonexistent/model.gguf", "-p", "hi"])
        expectCleanFailure(r, mentions: ["/nonexistent/model.gguf", "No such file"])
    }

    @Test func notAGGUFFile() throws {
        let path = Fixtures.path("gptj/tiny/hf-safetensors/config.json")
        expectCleanFailure(try CLI.run(["generate", "-m", path, "-p", "hi"]), mentions: [path, "not a GGUF file"])
    }

    @Test func truncatedGGUF() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let data = try Data(contentsOf: URL(fileURLWithPath: Self.tinyModel))
        let cut = dir.appendingPathComponent("cut.gguf")
        try data.prefix(data.count - 1000).write(to: cut)
        expectCleanFailure(try CLI.run(["generate", "-m", cut.path, "-p", "hi"]),
                           mentions: [cut.path, "truncated", "extends past the end of the file"])
    }

    @Test func unknownTensorType() throws {
        var g = RawGGUF()
        g.u32(GGUFFile.magic); g.u32(3); g.u64(1); g.u64(0)
        g.string("token_embd.weight"); g.u32(2); g.u64(32); g.u64(4); g.u32(99); g.u64(0)
        g.bytes += [UInt8](repeating: 0, count: 4096)
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("odd.gguf")
        try Data(g.bytes).write(to: path)
        expectCleanFailure(try CLI.run(["generate", "-m", path.path, "-p", "hi"]),
                           mentions: [path.path, "token_embd.weight", "unsupported ggml type 99"])
    }

    @Test func metadataDisagreesWithTensorShapes() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let src = try GGUFFile(path: Self.tinyModel)
        let path = dir.appendingPathComponent("liar.gguf").path
        let w = GGUFWriter(path: path)
        for (k, v) in src.metadata { w.set(k, v) }
        w.set(GGUFKey.feedForwardLength("gptj"), .uint32(128))  // the tensors say 256
        for info in src.tensorInfos {
            let t = try src.tensor(info.name)
            try w.add(.init(name: info.name, type: info.type, shape: info.shape) { out in
                try out.write(UnsafeRawBufferPointer(start: t.data, count: t.byteCount))
            })
        }
        try w.write()
        expectCleanFailure(try CLI.run(["generate", "-m", path, "-p", "hi"]),
                           mentions: [path, "blk.0.ffn_up.weight", "[256, 64]", "[128, 64]"])
    }

    @Test func promptLongerThanContext() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let prompt = dir.appendingPathComponent("long.txt")
        try String(repeating: "the cat sat on the mat. ", count: 600).write(to: prompt, atomically: true, encoding: .utf8)
        expectCleanFailure(try CLI.run(["generate", "-m", Self.tinyModel, "-f", prompt.path, "-n", "4"]),
                           mentions: ["context holds 2048"])
    }

    @Test func invalidUTF8Prompt() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let prompt = dir.appendingPathComponent("bad.txt")
        try Data([0x41, 0xFF, 0xFE, 0x42]).write(to: prompt)
        expectCleanFailure(try CLI.run(["generate", "-m", Self.tinyModel, "-f", prompt.path]),
                           mentions: [prompt.path, "not valid UTF-8"])
        // the same bytes straight on the command line
        let r = try CLI.shell(["/bin/sh", "-c", "\"$0\" generate -m \"$1\" -p \"$(printf 'A\\377B')\"",
                               Fixtures.glimpseBinary.path, Self.tinyModel])
        expectCleanFailure(r, mentions: ["not valid UTF-8"])
    }

    /// A copy of the tiny HF directory with a file replaced, for converter failures.
    func hfCopy(replacing name: String, with data: Data, removing removed: [String] = []) throws -> URL {
        let dir = try Fixtures.temporaryDirectory()
        let src = Fixtures.url("gptj/tiny/hf-bin")
        for f in try FileManager.default.contentsOfDirectory(atPath: src.path) where !removed.contains(f) {
            try FileManager.default.copyItem(at: src.appendingPathComponent(f), to: dir.appendingPathComponent(f))
        }
        try? FileManager.default.removeItem(at: dir.appendingPathComponent(name))
        try data.write(to: dir.appendingPathComponent(name))
        return dir
    }

    @Test func unsupportedArchitecture() throws {
        let config = try String(contentsOf: Fixtures.url("gptj/tiny/hf-bin/config.json"), encoding: .utf8)
            .replacingOccurrences(of: "\"gptj\"", with: "\"llama\"")
            .replacingOccurrences(of: "GPTJForCausalLM", with: "LlamaForCausalLM")
        let dir = try hfCopy(replacing: "config.json", with: Data(config.utf8))
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("out.gguf").path
        expectCleanFailure(try CLI.run(["convert", "lm", "--from", dir.path, "--out", out, "--type", "f32"]),
                           mentions: ["config.json", "unsupported architecture 'llama'"])
        #expect(!FileManager.default.fileExists(atPath: out))
    }

    @Test func pickleWithForbiddenGlobal() throws {
        let evil = try Data(contentsOf: Fixtures.url("checkpoints/evil_global.pt"))
        let dir = try hfCopy(replacing: "pytorch_model.bin", with: evil)
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("out.gguf").path
        expectCleanFailure(try CLI.run(["convert", "lm", "--from", dir.path, "--out", out, "--type", "f32"]),
                           mentions: ["pytorch_model.bin", "forbidden global", "system"])
        #expect(!FileManager.default.fileExists(atPath: out))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).allSatisfy { !$0.contains(".tmp") })
    }

    @Test func unknownOptionIsAUsageError() throws {
        let r = try CLI.run(["generate", "-m", Self.tinyModel, "-p", "hi", "--no-such-flag"])
        #expect(r.status != 0)
        #expect(r.stderr.contains("--no-such-flag"))
    }
}
