import ArgumentParser
import Conversion
import Foundation
import GGUF
import GPTJ
import TensorCore
import Vision

extension Glimpse {
    struct Convert: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Convert checkpoints to GGUF.",
            subcommands: [LM.self, VisionProjectorFile.self])

        struct LM: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Convert a Hugging Face GPT-J directory to one GGUF file.",
                discussion: """
                Reads config.json, vocab.json + merges.txt (+ added tokens) and the weights from \
                model.safetensors, sharded safetensors, or pytorch_model.bin (+ index). Tensor by tensor, \
                so a 24 GB checkpoint converts in little memory. No code from the checkpoint is executed.
                Example: glimpse convert lm --from gpt-j-6b/ --out gptj-q8_0.gguf --type q8_0
                """)

            @Option(name: .customLong("from"), help: "Hugging Face model directory.")
            var from: String

            @Option(name: .long, help: "Output GGUF file.")
            var out: String

            @Option(name: .long, help: "Type of the weight matrices: \(GGMLType.choices). q4_0x8 and q8_0x8 are Q4_0 and Q8_0 stored 8 rows together, for faster decode; only Glimpse reads them.")
            var type: String = "f16"

            func validate() throws {
                guard GGMLType(name: type) != nil else { throw ValidationError("--type must be one of \(GGMLType.choices)") }
            }

            func run() throws {
                try OutputPath.check(out)
                let t = GGMLType(name: type) ?? .f16
                let progress = Progress(label: "converting")
                try HFGPTJConverter.convert(directory: from, output: out, type: t) { progress.update($0, $1) }
                progress.finish("wrote \(out) (\(t))")
            }
        }

        struct VisionProjectorFile: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "vision",
                abstract: "Convert an OpenAI CLIP ResNet checkpoint and a LiMBeR projection to a projector GGUF.",
                discussion: """
                Reads the CLIP .pt as clip.load downloads it (a TorchScript archive) or as a torch.save state dict, \
                keeps visual.* without the attention pool, folds BatchNorm into the convolutions, and adds the \
                projection from proj.ckpt (nn.Linear state dict; a LayerNorm after it is kept if present).
                Example: glimpse convert vision --clip RN50x16.pt --projection proj.ckpt --out limber-rn50x16.gguf --type f16
                """)

            @Option(name: .long, help: "OpenAI CLIP checkpoint (.pt).")
            var clip: String

            @Option(name: .long, help: "LiMBeR projection checkpoint (proj.ckpt).")
            var projection: String

            @Option(name: .long, help: "Output GGUF file.")
            var out: String

            @Option(name: .long, help: "Type of the weight matrices: \(GGMLType.choices). With a quantized type the convolutions stay f16 (ggml's blocks would run along the kernel's width) and the projection is quantized.")
            var type: String = "f16"

            func validate() throws {
                guard GGMLType(name: type) != nil else { throw ValidationError("--type must be one of \(GGMLType.choices)") }
            }

            func run() throws {
                try OutputPath.check(out)
                let t = GGMLType(name: type) ?? .f16
                let progress = Progress(label: "converting")
                try CLIPVisionConverter.convert(clip: clip, projection: projection, output: out, type: t) { progress.update($0, $1) }
                progress.finish("wrote \(out) (\(t))")
            }
        }
    }

    struct Quantize: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Rewrite a GGUF model with its weight matrices in another type.",
            discussion: "Example: glimpse quantize gptj-f16.gguf gptj-q4_0.gguf --type q4_0")

        @Argument(help: "Input GGUF file.")
        var input: String

        @Argument(help: "Output GGUF file.")
        var output: String

        @Option(name: .long, help: "Type of the weight matrices: \(GGMLType.choices). q4_0x8 and q8_0x8 are Q4_0 and Q8_0 stored 8 rows together, for faster decode; only Glimpse reads them.")
        var type: String

        func validate() throws {
            guard GGMLType(name: type) != nil else { throw ValidationError("--type must be one of \(GGMLType.choices)") }
            guard input != output else { throw ValidationError("input and output must be different files") }
        }

        func run() throws {
            try OutputPath.check(output)
            try validateModel(input)
            let t = GGMLType(name: type) ?? .f16
            let progress = Progress(label: "quantizing")
            try GGUFRequantizer.requantize(input: input, output: output, type: t) { progress.update($0, $1) }
            progress.finish("wrote \(output) (\(t))")
        }

        /// The input loads as the model its architecture names (every key and tensor shape checked), so
        /// a broken file is refused instead of copied into an equally broken one.
        func validateModel(_ path: String) throws {
            let file = try GGUFFile(path: path)
            switch try file.string(GGUFKey.architecture) {
            case "gptj": _ = try GPTJModel(path: path)
            case "clip": _ = try VisionProjector(gguf: file, pool: ThreadPool(threads: 1))
            case let other: throw CLIFailure("\(path): unsupported architecture '\(other)' (glimpse quantizes gptj and clip files)")
            }
        }
    }
}

/// Progress on stderr for long jobs: one updating line on a terminal, a few lines otherwise.
final class Progress {
    let label: String
    let start = Date()
    let tty = isatty(2) != 0
    var lastPrinted = -1

    init(label: String) { self.label = label }

    func update(_ done: Int, _ total: Int) {
        let percent = total > 0 ? done * 100 / total : 100
        if tty {
            FileHandle.standardError.write(Data("\r\(label): \(done)/\(total) tensors (\(percent)%)".utf8))
        } else if percent / 25 != lastPrinted / 25 || done == total {
            CLI.log("\(label): \(done)/\(total) tensors (\(percent)%)")
        }
        lastPrinted = percent
    }

    func finish(_ message: String) {
        if tty { FileHandle.standardError.write(Data("\n".utf8)) }
        CLI.log(String(format: "%@ in %.1f s", message, Date().timeIntervalSince(start)))
    }
}
