import ArgumentParser
import Evaluation
import Foundation
import GPTJ
import Multimodal
import Vision

/// Options shared by the captioning and VQA commands.
struct ImageTaskOptions: ParsableArguments {
    enum Kind { case caption, vqa }

    @Option(name: .long, help: "Vision projector file (GGUF). Default: the shipped models/\(ShippedModels.projector).")
    var mmproj: String?

    func projectorPath() throws -> String {
        try ShippedModels.resolve(mmproj, file: ShippedModels.projector, option: "--mmproj")
    }

    @Option(name: .customLong("prompt-file"), help: "Prompt template (see prompts/README.md); built-in default otherwise.")
    var promptFile: String?

    @Option(name: .long, help: "JSON list of support examples: {image, caption} or {image, question, answer}; image paths are relative to the file.")
    var shots: String?

    @Option(name: [.customShort("n"), .customLong("max-tokens")], help: "Most tokens per answer.")
    var maxTokens: Int = 24

    @Option(name: .customLong("stop"), help: "Stop string (repeatable). Default: a newline or '.' for captions; a newline or 'Q:' for answers.")
    var stops: [String] = []

    @Option(name: .long, help: "Decode this many images together (1-8): one pass over the weights serves them all; greedy results are identical to 1.")
    var batch: Int = 1

    @Flag(name: .customLong("no-prefix-reuse"), help: "Recompute the few-shot prefix for every image (to measure what reusing it saves).")
    var noPrefixReuse = false

    func validate() throws {
        guard maxTokens >= 1 else { throw ValidationError("--max-tokens must be >= 1") }
        guard (1...8).contains(batch) else { throw ValidationError("--batch must be between 1 and 8") }
    }

    func stopStrings(for kind: Kind) -> [String] {
        if !stops.isEmpty { return stops }
        return kind == .caption ? ["\n", "."] : ["\n", "Q:"]
    }

    func template(for kind: Kind, fewShot: Bool) throws -> PromptTemplate {
        if let promptFile { return try PromptTemplate(path: promptFile) }
        switch (kind, fewShot) {
        case (.caption, false): return .caption
        case (.caption, true): return .fewShotCaption
        case (.vqa, false): return .vqa
        case (.vqa, true): return .fewShotVQA
        }
    }

    func supportExamples() throws -> [SupportExample] {
        guard let shots else { return [] }
        return try SupportFile.load(path: shots)
    }

    /// - Parameter support: the support examples when the caller chose them (vqa --shots K); --shots FILE otherwise.
    func makeRunner(modelOptions: ModelOptions, kind: Kind, support: [SupportExample]? = nil, shotLimit: Int? = nil) throws -> FewShotRunner {
        var examples = try support ?? supportExamples()
        if let shotLimit { examples = Array(examples.prefix(shotLimit)) }
        let template = try template(for: kind, fewShot: !examples.isEmpty)
        let (model, session, _) = try modelOptions.load()
        let projector = try VisionProjector(path: try projectorPath(), threads: modelOptions.threads)
        let runner = try FewShotRunner(model: model, projector: projector, template: template, shots: examples, session: session)
        runner.reusePrefix = !noPrefixReuse
        return runner
    }
}

/// A `--shots` file: [{"image": ..., "caption": ...}] or [{"image": ..., "question": ..., "answer": ...}].
enum SupportFile {
    static func load(path: String) throws -> [SupportExample] {
        let list = try JSONFile.object(atPath: path)
        guard let items = list as? [[String: Any]] else { throw CLIFailure("\(path): expected a JSON list of objects") }
        let base = (path as NSString).deletingLastPathComponent
        return try items.enumerated().map { i, item in
            guard let image = item["image"] as? String else { throw CLIFailure("\(path): example \(i) has no \"image\" string") }
            var values: [String: String] = [:]
            for key in ["caption", "question", "answer"] { if let v = item[key] as? String { values[key] = v } }
            guard values["caption"] != nil || (values["question"] != nil && values["answer"] != nil) else {
                throw CLIFailure("\(path): example \(i) needs \"caption\", or \"question\" and \"answer\"")
            }
            let resolved = image.hasPrefix("/") || base.isEmpty ? image : (base as NSString).appendingPathComponent(image)
            return SupportExample(image: resolved, values: values)
        }
    }
}

