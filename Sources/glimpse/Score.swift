import ArgumentParser
import Foundation
import Generation
import GPTJ

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
            let scorer = try ContinuationScorer(session: session, prefix: prompt.embeddings, count: prompt.ids.count)
            let logprobs = try scorer.logprobs(contIDs)
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
