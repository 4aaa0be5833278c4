import ArgumentParser
import Foundation
import Generation
import GGUF
import GPTJ
import TensorCore
import Vision

extension Glimpse {
    struct Bench: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Measure load time, prompt processing, generation and image encoding (like llama-bench).",
            discussion: """
            The prompt defaults to the LiMBeR case: 144 image soft tokens (random embeddings) + 8 text tokens. \
            In the same run it measures read bandwidth over the mapped weights with the same threads, just before \
            and just after each decode run, and prints the decode roofline (weight bytes per token / bandwidth) and \
            decode's ratio to it (each run against its own two probes), and the FLOP rates of prefill and of the \
            image encoder. Each figure is the median of --reps runs (min and max in --json).
            Example: glimpse bench -m gptj-6b-q4_0.gguf --mmproj rn50x16.gguf --reps 3
            """)

        @Option(name: [.customShort("m"), .long], help: "GPT-J model file (GGUF). Default: the shipped models/\(ShippedModels.languageModel).")
        var model: String?

        @Option(name: .long, help: "Vision projector file: also measure image encoding.")
        var mmproj: String?

        @Option(name: .customLong("image-tokens"), help: "Soft tokens in the benchmark prompt.")
        var imageTokens: Int = 144

        @Option(name: .customLong("text-tokens"), help: "Text tokens in the benchmark prompt.")
        var textTokens: Int = 8

        @Option(name: .customLong("gen"), help: "Tokens to generate.")
        var generate: Int = 64

        @Option(name: .long, help: "Repetitions.")
        var reps: Int = 3

        @Option(name: .long, help: "Worker threads (all cores by default).")
        var threads: Int = ProcessInfo.processInfo.activeProcessorCount

        @Option(name: .customLong("kv-type"), help: "KV cache type: f16 or f32.")
        var kvType: String = "f16"

        @Flag(name: .long, help: "Print JSON.")
        var json = false

        func validate() throws {
            guard reps >= 1, generate >= 1, imageTokens >= 0, textTokens >= 0, imageTokens + textTokens >= 1 else {
                throw ValidationError("--reps, --gen and the prompt must be at least 1")
            }
            guard KVType(rawValue: kvType) != nil else { throw ValidationError("--kv-type must be f16 or f32") }
        }

        func run() throws {
            typealias M = BenchMeasurements
            var loads: [Double] = [], prefill: [Double] = [], decode: [Double] = [], encode: [Double] = []
            var lm: GPTJModel?
            let modelPath = try ShippedModels.resolve(model, file: ShippedModels.languageModel, option: "-m/--model")
            for _ in 0..<reps {
                let start = Date()
                lm = try GPTJModel(path: modelPath)
                loads.append(Date().timeIntervalSince(start) * 1000)
            }
            guard let lm else { return }
            let pool = ThreadPool(threads: threads)
            let promptCount = imageTokens + textTokens
            guard promptCount + generate <= lm.config.contextLength else {
                throw GenerationError.contextOverflow(needed: promptCount + generate, context: lm.config.contextLength)
            }
            let width = lm.config.embeddingWidth
            var rng = SeededRandom(seed: 1)
            let soft = (0..<(imageTokens * width)).map { _ in Float(rng.unit() * 0.2 - 0.1) }
            let textIDs = (0..<textTokens).map { Int32($0 % max(1, lm.samplableTokenCount)) }
            // This VM's bandwidth drifts by up to 2x between minutes, so each decode run is set against probes
            // taken just before and just after it, not against one taken at another moment.
            let bytesPerToken = Double(M.weightBytesPerToken(lm))
            var probes: [Double] = [], decodeVsRoofline: [Double] = []
            for _ in 0..<reps {
                let session = lm.makeSession(kvType: KVType(rawValue: kvType) ?? .f16, pool: pool, batchSize: 512)
                let prompt = soft + (try session.embed(textIDs))
                var start = Date()
                var logits = try session.forward(prompt, count: promptCount, allLogits: false)
                prefill.append(Double(promptCount) / Date().timeIntervalSince(start))
                let before = M.readBandwidth(lm, pool: pool)
                start = Date()
                var sampler = SamplerChain(.greedy)
                for _ in 0..<generate {
                    let next = logits.withUnsafeBufferPointer { sampler.sample($0, allowed: lm.samplableTokenCount) }
                    logits = try session.forward(try session.embed([next]), count: 1, allLogits: false)
                }
                decode.append(Double(generate) / Date().timeIntervalSince(start))
                let after = M.readBandwidth(lm, pool: pool)
                probes += [before, after]
                decodeVsRoofline.append(decode[decode.count - 1] / ((before + after) / 2 / bytesPerToken))
            }
            var imageFLOPs = 0.0
            if let mmproj {
                let projector = try VisionProjector(gguf: try GGUFFile(path: mmproj), pool: pool)
                imageFLOPs = M.imageFlops(projector)
                let n = projector.imageSize
                let pixels = (0..<(3 * n * n)).map { _ in Float(rng.unit() * 4 - 2) }
                for _ in 0..<reps {
                    let start = Date()
                    _ = projector.softTokens(pixels: pixels)
                    encode.append(Date().timeIntervalSince(start) * 1000)
                }
            }
            let bandwidth = M.Stats(probes), ratio = M.Stats(decodeVsRoofline)
            let roofline = bandwidth.median / bytesPerToken
            let pp = M.Stats(prefill), tg = M.Stats(decode), load = M.Stats(loads), enc = M.Stats(encode)
            let flops = M.flopsPerToken(lm)
            let report: [String: Any] = [
                "model": modelPath, "threads": pool.size, "kernels": Kernels.cpuPath,
                "load_ms": load.json, "prompt_tokens": promptCount, "prompt_tok_s": pp.json,
                "prompt_gflop_s": pp.median * flops / 1e9, "gen_tokens": generate, "gen_tok_s": tg.json,
                "weight_bytes_per_token": bytesPerToken, "read_gb_s": bandwidth.json.mapValues { $0 / 1e9 },
                "roofline_tok_s": roofline, "decode_vs_roofline": ratio.json,
                "peak_rss_mb": Double(M.peakRSS()) / 1e6,
            ].merging(mmproj == nil ? [:] : ["image_encode_ms": enc.json, "image_gflop_s": imageFLOPs / (enc.median / 1000) / 1e9]) { a, _ in a }
            if json {
                CLI.emit(CLI.json(report) + "\n")
                return
            }
            print("model: \(modelPath)  threads: \(pool.size)  kernels: \(Kernels.cpuPath)")
            print(String(format: "load:        %8.1f ms   (min %.1f, max %.1f)", load.median, load.min, load.max))
            print(String(format: "prompt (%d): %8.2f tok/s  %.1f GFLOP/s", promptCount, pp.median, pp.median * flops / 1e9))
            print(String(format: "generate:    %8.2f tok/s  (min %.2f, max %.2f)", tg.median, tg.min, tg.max))
            print(String(format: "bandwidth:   %8.2f GB/s over %.2f GB of weights per token -> roofline %.2f tok/s; decode at %.0f%% (min %.0f, max %.0f)",
                         bandwidth.median / 1e9, bytesPerToken / 1e9, roofline, 100 * ratio.median, 100 * ratio.min, 100 * ratio.max))
            if mmproj != nil {
                print(String(format: "image:       %8.1f ms   %.1f GFLOP/s", enc.median, imageFLOPs / (enc.median / 1000) / 1e9))
            }
            print(String(format: "peak RSS:    %8.1f MB", Double(M.peakRSS()) / 1e6))
            let plain = lm.weights.blocks.first?.ffnUp.type
            if Kernels.cpuPath == "avx2", let plain, plain == .q4_0 || plain == .q8_0 {  // measured on AVX2 only
                print("note: \(plain)x8 holds the same blocks 8 rows together and decodes faster here (Glimpse only): "
                      + "glimpse quantize \(modelPath) OUT.gguf --type \(plain)x8")
            }
        }
    }
}
