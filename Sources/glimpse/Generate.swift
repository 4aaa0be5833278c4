import ArgumentParser
import Foundation
import Generation
import GPTJ
import Tokenizer

extension Glimpse {
    struct Generate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Continue a prompt, streaming each token to stdout as it is sampled.",
            discussion: "Example: glimpse generate -m model.gguf -p \"A picture of\" --temp 0 --max-tokens 32")

        @OptionGroup var modelOptions: ModelOptions
        @OptionGroup var promptOptions: PromptOptions
        @OptionGroup var imageOptions: ImageOptions
        @OptionGroup var sampling: SamplingOptions

        @Option(name: [.customShort("n"), .customLong("max-tokens")], help: "Most tokens to generate.")
        var maxTokens: Int = 64

        @Option(name: .customLong("stop"), help: "Stop when this string is generated (repeatable; not printed).")
        var stops: [String] = []

        @Flag(name: .long, help: "Print one JSON object (ids, text, logprobs) instead of streaming text.")
        var json = false

        @Option(name: .customLong("top-logprobs"), help: "With --json: alternatives to report per token.")
        var topLogprobs: Int = 0

        @Flag(name: .customLong("ignore-eos"), help: "Keep generating past the end-of-text token.")
        var ignoreEOS = false

        func validate() throws {
            guard maxTokens >= 0 else { throw ValidationError("--max-tokens must be >= 0") }
            guard topLogprobs >= 0, topLogprobs <= 100 else { throw ValidationError("--top-logprobs must be between 0 and 100") }
        }

        func run() throws {
            let text = try promptOptions.text()
            let (model, session, loadSeconds) = try modelOptions.load()
            let loadRSS = CLI.residentMB() ?? 0
            let input = try promptOptions.attributing { try imageOptions.input(text, model: model, session: session) }
            let ids = input.ids.compactMap { $0 }
            let settings = sampling.settings()
            let iterator = try promptOptions.attributing {
                try TokenIterator(
                    session: session, prompt: input.embeddings, promptCount: input.ids.count,
                    sampler: SamplerChain(settings, history: ids), allowed: model.samplableTokenCount,
                    eos: ignoreEOS ? nil : model.eosToken, maxTokens: maxTokens, topLogprobs: topLogprobs)
            }
            var detok = StreamingDetokenizer(tokenizer: model.tokenizer)
            var stopper = StopMatcher(stops: stops)
            var records: [[String: Any]] = []
            var fullText = ""
            while !stopper.stopped, let token = try iterator.next() {
                let piece = stopper.feed(detok.append(token.id))
                fullText += piece
                if json {
                    records.append(tokenRecord(token, tokenizer: model.tokenizer))
                } else {
                    CLI.emit(piece)
                }
            }
            let tail = stopper.feed(detok.flush()) + stopper.flush()
            fullText += tail
            if json {
                CLI.emit(CLI.json([
                    "prompt_ids": input.ids.map { $0.map { Int($0) as Any } ?? NSNull() }, "tokens": records, "text": fullText,
                    "stopped_by": stopper.stopped ? "stop" : (iterator.count >= maxTokens ? "length" : "eos"),
                ] as [String: Any]) + "\n")
            } else {
                CLI.emit(tail + "\n")
            }
            let promptRate = Double(input.ids.count) / max(iterator.promptSeconds, 1e-9)
            let genRate = Double(iterator.count) / max(iterator.decodeSeconds, 1e-9)
            CLI.log(String(format: "load: %.1f ms (RSS %.1f MB) | prompt: %d tokens, %.2f tok/s | generated: %d tokens, %.2f tok/s | seed %llu",
                           loadSeconds * 1000, loadRSS, input.ids.count, promptRate, iterator.count, genRate, settings.seed))
        }

        private func tokenRecord(_ t: GeneratedToken, tokenizer: BPETokenizer) -> [String: Any] {
            var r: [String: Any] = ["id": Int(t.id), "text": tokenizer.decode([t.id]), "logprob": Double(t.logprob)]
            if topLogprobs > 0 {
                r["top_logprobs"] = t.topAlternatives.map {
                    ["id": Int($0.id), "text": tokenizer.decode([$0.id]), "logprob": Double($0.logprob)] as [String: Any]
                }
            }
            return r
        }
    }
}
