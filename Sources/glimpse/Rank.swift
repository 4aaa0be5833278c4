import ArgumentParser
import Evaluation
import Foundation
import Generation

extension Glimpse {
    struct Rank: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Rank candidate continuations by log-likelihood after one shared prompt (multiple choice, caption re-ranking).",
            discussion: """
            The prompt (with its images) is run once; each candidate only adds its own tokens. Candidates come one per \
            line, or as a JSON list of strings. Prints JSON, best first: each candidate's token count, summed and mean \
            log-probability.
            Example: glimpse rank -m gptj.gguf --mmproj limber.gguf --image cat.jpg -p "<image>A picture of" --candidates captions.txt
            """)

        @OptionGroup var modelOptions: ModelOptions
        @OptionGroup var promptOptions: PromptOptions
        @OptionGroup var imageOptions: ImageOptions

        @Option(name: .long, help: "File of candidates: one per line, or a JSON list of strings.")
        var candidates: String

        func run() throws {
            let list = try Self.readCandidates(candidates)
            let text = try promptOptions.text()
            let (model, session, _) = try modelOptions.load()
            let prompt = try imageOptions.input(text, model: model, session: session)
            let tokenized = list.map { model.tokenizer.encode($0) }
            let longest = tokenized.map(\.count).max() ?? 0
            guard prompt.ids.count + longest <= session.contextLength else {
                throw GenerationError.contextOverflow(needed: prompt.ids.count + longest, context: session.contextLength)
            }
            let scorer = try ContinuationScorer(session: session, prefix: prompt.embeddings, count: prompt.ids.count)
            var rows: [[String: Any]] = []
            for (candidate, ids) in zip(list, tokenized) {
                let lps = try scorer.logprobs(ids)
                let sum = lps.reduce(0, +)
                rows.append(["candidate": candidate, "tokens": ids.count, "logprob": sum,
                             "mean_logprob": ids.isEmpty ? 0 : sum / Double(ids.count)])
            }
            rows.sort { ($0["logprob"] as? Double ?? 0) > ($1["logprob"] as? Double ?? 0) }
            CLI.emit(CLI.json(["prompt_tokens": prompt.ids.count, "ranking": rows] as [String: Any]) + "\n")
        }

        static func readCandidates(_ path: String) throws -> [String] {
            guard let data = FileManager.default.contents(atPath: path) else { throw CLIFailure("\(path): cannot read candidates file") }
            guard let text = String(validating: data, as: UTF8.self) else { throw CLIFailure("\(path): not valid UTF-8") }
            let list: [String]
            if text.trimmingCharacters(in: .whitespaces).hasPrefix("[") {
                guard let json = try JSONFile.object(atPath: path) as? [String] else { throw CLIFailure("\(path): expected a JSON list of strings") }
                list = json
            } else {
                list = text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
            }
            guard !list.isEmpty, list.allSatisfy({ !$0.isEmpty }) else { throw CLIFailure("\(path): no candidates (or an empty one)") }
            return list
        }
    }
}
