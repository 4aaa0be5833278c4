import ArgumentParser
import Foundation
import Generation
import GPTJ
import TensorCore

extension Glimpse {
    struct Score: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Log-probability of a continuation given a prompt (teacher forcing), as JSON.",
            discussion: "Example: glimpse score -m model.gguf -p \"A picture of\" --continuation \" a dog\"")

        @OptionGroup var modelOptions: ModelOptions
        @OptionGroup var promptOptions: PromptOptions

        @Option(name: .long, help: "Text whose tokens are scored; tokenized on its own and appended to the prompt.")
        var continuation: String

        func run() throws {
            let text = try promptOptions.text()
            let (model, session, _) = try modelOptions.load()
            let promptIDs = model.tokenizer.encode(text)
            let contIDs = model.tokenizer.encode(continuation)
            guard !promptIDs.isEmpty else { throw GenerationError.emptyPrompt }
            guard !contIDs.isEmpty else { throw CLIFailure("the continuation is empty") }
            let all = promptIDs + contIDs
            guard all.count <= session.contextLength else {
                throw GenerationError.contextOverflow(needed: all.count, context: session.contextLength)
            }
            // logits at position i predict token i+1; only the rows before continuation tokens matter
            let inputs = Array(all.dropLast())
            let logits = try session.forward(try session.embed(inputs), count: inputs.count, allLogits: true)
            let v = session.vocabularySize
            var logprobs: [Double] = []
            var row = [Float](repeating: 0, count: v)
            for (j, id) in contIDs.enumerated() {
                let r = promptIDs.count - 1 + j
                logits.withUnsafeBufferPointer { src in
                    row.withUnsafeMutableBufferPointer { dst in
                        Activations.logSoftmax(src.baseAddress! + r * v, n: v, out: dst.baseAddress!)
                    }
                }
                logprobs.append(Double(row[Int(id)]))
            }
            CLI.emit(CLI.json([
                "prompt_ids": promptIDs.map(Int.init),
                "continuation_ids": contIDs.map(Int.init),
                "tokens": contIDs.map { model.tokenizer.decode([$0]) },
                "logprobs": logprobs,
                "sum": logprobs.reduce(0, +),
            ] as [String: Any]) + "\n")
        }
    }
}
