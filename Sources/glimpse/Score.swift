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
        @OptionGroup var imageOptions: ImageOptions

        @Option(name: .long, help: "Text whose tokens are scored; tokenized on its own and appended to the prompt.")
        var continuation: String

        func run() throws {
            let text = try promptOptions.text()
            let (model, session, _) = try modelOptions.load()
            let prompt = try imageOptions.input(text, model: model, session: session)
            let contIDs = model.tokenizer.encode(continuation)
            guard !prompt.ids.isEmpty else { throw GenerationError.emptyPrompt }
            guard !contIDs.isEmpty else { throw CLIFailure("the continuation is empty") }
            let total = prompt.ids.count + contIDs.count
            guard total <= session.contextLength else {
                throw GenerationError.contextOverflow(needed: total, context: session.contextLength)
            }
            // logits at position i predict token i+1; the last continuation token needs no input row
            let inputs = prompt.embeddings + (try session.embed(Array(contIDs.dropLast())))
            let count = total - 1
            let logits = try session.forward(inputs, count: count, allLogits: true)
            let v = session.vocabularySize
            var logprobs: [Double] = []
            var row = [Float](repeating: 0, count: v)
            for (j, id) in contIDs.enumerated() {
                let r = prompt.ids.count - 1 + j
                logits.withUnsafeBufferPointer { src in
                    row.withUnsafeMutableBufferPointer { dst in
                        guard let s = src.baseAddress, let d = dst.baseAddress else { return }
                        Activations.logSoftmax(s + r * v, n: v, out: d)
                    }
                }
                logprobs.append(Double(row[Int(id)]))
            }
            CLI.emit(CLI.json([
                "prompt_ids": prompt.ids.map { $0.map { Int($0) as Any } ?? NSNull() },
                "continuation_ids": contIDs.map(Int.init),
                "tokens": contIDs.map { model.tokenizer.decode([$0]) },
                "logprobs": logprobs,
                "sum": logprobs.reduce(0, +),
            ] as [String: Any]) + "\n")
        }
    }
}
