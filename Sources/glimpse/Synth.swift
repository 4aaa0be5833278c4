import ArgumentParser
import Conversion
import Foundation
import TensorCore

extension Glimpse {
    struct Synth: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a full-size model with random weights, for benchmarks.",
            discussion: """
            gptj-6b: GPT-J-6B's exact shape (28 layers, 4096 wide, 16384 MLP, 50400 vocabulary) with a byte-level \
            tokenizer; clip-rn50x16: CLIP RN50x16's visual tower (384 px, 12x12x3072 grid) and a 3072 -> 4096 LiMBeR \
            projection. Streams tensor by tensor: little memory, minutes of time.
            Example: glimpse synth --arch gptj-6b --type q4_0 --out gptj-6b-q4_0.gguf
            """)

        @Option(name: .long, help: "gptj-6b or clip-rn50x16.")
        var arch: String

        @Option(name: .long, help: "Weight type: \(GGMLType.choices). q4_0x8 and q8_0x8 are Q4_0 and Q8_0 stored 8 rows together, for faster decode; only Glimpse reads them.")
        var type: String

        @Option(name: .long, help: "Output GGUF file.")
        var out: String

        @Option(name: .long, help: "Random seed.")
        var seed: UInt64 = 1

        func validate() throws {
            guard SyntheticModels.Architecture(rawValue: arch) != nil else { throw ValidationError("--arch must be gptj-6b or clip-rn50x16") }
            guard GGMLType(name: type) != nil else { throw ValidationError("--type must be one of \(GGMLType.choices)") }
        }

        func run() throws {
            try OutputPath.check(out)
            let t = GGMLType(name: type) ?? .q8_0
            let progress = Progress(label: "writing")
            switch SyntheticModels.Architecture(rawValue: arch) {
            case .gptj6B: try SyntheticModels.writeGPTJ6B(to: out, type: t, seed: seed) { progress.update($0, $1) }
            case .clipRN50x16: try SyntheticModels.writeCLIPRN50x16(to: out, type: t, seed: seed) { progress.update($0, $1) }
            case nil: return
            }
            progress.finish("wrote \(out) (\(arch), \(t))")
        }
    }
}
