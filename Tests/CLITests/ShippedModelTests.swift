import Foundation
import Testing
import TestSupport

/// The model that ships in models/: every command finds it when -m/--mmproj are not given.
@Suite(.serialized) struct ShippedModelTests {
    static let models = Fixtures.repoRoot.appendingPathComponent("models")
    static let example = models.appendingPathComponent("val/images/val_000003.jpg").path

    @Test func commandsDefaultToTheShippedFiles() throws {
        // From a folder with no models/: found beside the package the binary was built in.
        let elsewhere = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: elsewhere) }
        let explicit = try CLI.run(["caption", "-m", Self.models.appendingPathComponent("glimpse-shapes-q8_0.gguf").path,
                                    "--mmproj", Self.models.appendingPathComponent("glimpse-shapes-mmproj-f16.gguf").path, Self.example])
        #expect(explicit.status == 0, "\(explicit.stderr)")
        let byDefault = try CLI.run(["caption", Self.example], in: elsewhere)
        #expect(byDefault.status == 0, "\(byDefault.stderr)")
        #expect(byDefault.stdout == explicit.stdout)
        #expect(byDefault.stdout.contains("a green circle, a red triangle and a blue triangle"))

        let generate = try CLI.run(["generate", "--image", Self.example, "-p", "<image>A picture of", "--temp", "0", "-n", "16"], in: elsewhere)
        #expect(generate.status == 0, "\(generate.stderr)")
        #expect(generate.stdout.hasPrefix(" a green circle, a red triangle and a blue triangle."))
    }

    @Test func glimpseModelsOverridesTheSearch() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        // A folder holding a different (text-only) model under the shipped name wins over models/.
        try FileManager.default.copyItem(at: Self.models.appendingPathComponent("tiny-gptj-q8_0.gguf"),
                                         to: dir.appendingPathComponent("glimpse-shapes-q8_0.gguf"))
        var env = ProcessInfo.processInfo.environment
        env["GLIMPSE_MODELS"] = dir.path
        let r = try CLI.run(["generate", "-p", "Once upon a time", "--temp", "0", "-n", "8", "--json"], in: dir, environment: env)
        #expect(r.status == 0, "\(r.stderr)")
        let shipped = try CLI.run(["generate", "-m", Self.models.appendingPathComponent("tiny-gptj-q8_0.gguf").path,
                                   "-p", "Once upon a time", "--temp", "0", "-n", "8", "--json"])
        #expect(r.stdout == shipped.stdout)

        // An explicit --mmproj is never replaced by a search: a missing one is an error naming it.
        let missing = try CLI.run(["caption", "--mmproj", dir.appendingPathComponent("none.gguf").path, Self.example], in: dir, environment: env)
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("none.gguf"))
    }
}

/// The whole model on the portable C kernels (GLIMPSE_KERNELS=portable) agrees with the dispatched SIMD
/// kernels: same greedy tokens, log-probabilities within float rounding.
@Suite struct PortableKernelTests {
    @Test func portableAndDispatchedKernelsAgree() throws {
        let args = ["generate", "--image", ShippedModelTests.example, "-p", "<image>A picture of", "--temp", "0", "-n", "16", "--json"]
        var env = ProcessInfo.processInfo.environment
        let simd = try CLI.run(args)
        env["GLIMPSE_KERNELS"] = "portable"
        let portable = try CLI.run(args, environment: env)
        #expect(simd.status == 0 && portable.status == 0, "\(simd.stderr) \(portable.stderr)")
        func tokens(_ r: CLIResult) -> [(Int, Double)] {
            let o = (try? JSONSerialization.jsonObject(with: Data(r.stdout.utf8))) as? [String: Any]
            return (o?["tokens"] as? [[String: Any]] ?? []).map { ($0["id"] as? Int ?? -1, $0["logprob"] as? Double ?? .nan) }
        }
        let a = tokens(simd), b = tokens(portable)
        // The variable really switches the kernels (bench names the path it runs).
        let bench = ["bench", "--reps", "1", "--gen", "1", "--image-tokens", "1", "--text-tokens", "1"]
        #expect(try CLI.run(bench, environment: env).stdout.contains("kernels: scalar"))
        #expect(a.count >= 8 && a.map(\.0) == b.map(\.0), "\(a.count) tokens")
        for (x, y) in zip(a, b) { #expect(abs(x.1 - y.1) < 1e-3, "\(x.1) vs \(y.1)") }
    }
}
