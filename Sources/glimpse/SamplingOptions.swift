import ArgumentParser
import Generation

/// Sampling flags (llama.cpp's names and defaults; --temp 0 is greedy).
struct SamplingOptions: ParsableArguments {
    @Option(name: .customLong("temp"), help: "Temperature; 0 picks the most likely token (greedy). Default: 0.8 for generate, 0 for captioning and VQA.")
    var temperature: Float?

    @Option(name: .customLong("top-k"), help: "Keep the k most likely tokens (0 disables).")
    var topK: Int = 40

    @Option(name: .customLong("top-p"), help: "Nucleus: keep the most likely tokens up to this cumulative probability (1 disables).")
    var topP: Double = 0.95

    @Option(name: .customLong("min-p"), help: "Drop tokens less likely than this fraction of the top token (0 disables).")
    var minP: Double = 0.05

    @Option(name: .customLong("repeat-penalty"), help: "Repetition penalty as in transformers (1 disables).")
    var repeatPenalty: Float = 1.0

    @Option(name: .customLong("sampler-compat"), help: "standard, or limber: LiMBeR/MAGMA's top-p (keeps a 1-p nucleus) applied before temperature, to reproduce their outputs.")
    var samplerCompat: String = "standard"

    @Option(name: .long, help: "Random seed (default: random); the same seed repeats a run exactly.")
    var seed: UInt64?

    /// The settings, with `defaultTemperature` where --temp was not given.
    func settings(defaultTemperature: Float = 0.8) -> SamplingSettings {
        var s = SamplingSettings()
        s.temperature = temperature ?? defaultTemperature
        s.topK = topK
        s.topP = topP
        s.minP = minP
        s.repetitionPenalty = repeatPenalty
        s.seed = seed ?? UInt64.random(in: 0...UInt64.max)
        s.compat = SamplerCompat(rawValue: samplerCompat) ?? .standard
        return s
    }

    func validate() throws {
        guard SamplerCompat(rawValue: samplerCompat) != nil else { throw ValidationError("--sampler-compat must be standard or limber") }
        do { try settings().validate() } catch { throw ValidationError("\(error)") }
    }
}
