import ArgumentParser
import Foundation
import Generation
import GPTJ

/// Which model to load and how to run it.
struct ModelOptions: ParsableArguments {
    @Option(name: [.customShort("m"), .long], help: "GPT-J model file (GGUF). Default: the shipped models/\(ShippedModels.languageModel).")
    var model: String?

    @Option(name: .long, help: "Worker threads (all cores by default).")
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(name: .customLong("kv-type"), help: "KV cache element type: f16 or f32.")
    var kvType: String = "f16"

    @Option(name: .customLong("batch-size"), help: "Prompt tokens per forward pass during prefill.")
    var batchSize: Int = 256

    func validate() throws {
        guard threads >= 1, threads <= 256 else { throw ValidationError("--threads must be between 1 and 256") }
        guard KVType(rawValue: kvType) != nil else { throw ValidationError("--kv-type must be f16 or f32") }
        guard batchSize >= 1, batchSize <= 4096 else { throw ValidationError("--batch-size must be between 1 and 4096") }
    }

    /// The model file: -m, or the shipped one.
    func modelPath() throws -> String {
        try ShippedModels.resolve(model, file: ShippedModels.languageModel, option: "-m/--model")
    }

    /// Loads the model and opens a session; returns the load time in seconds.
    func load() throws -> (GPTJModel, GPTJSession, Double) {
        let start = Date()
        let model = try GPTJModel(path: try modelPath())
        let session = model.makeSession(kvType: KVType(rawValue: kvType) ?? .f16, threads: threads, batchSize: batchSize)
        return (model, session, Date().timeIntervalSince(start))
    }
}

/// Where the prompt text comes from.
struct PromptOptions: ParsableArguments {
    @Option(name: [.customShort("p"), .long], help: "Prompt text.")
    var prompt: String?

    @Option(name: [.customShort("f"), .customLong("prompt-file")], help: "Read the prompt from a UTF-8 file.")
    var promptFile: String?

    func validate() throws {
        guard (prompt == nil) != (promptFile == nil) else { throw ValidationError("give exactly one of -p/--prompt or -f/--prompt-file") }
    }

    /// Runs `body`; a problem with the prompt itself (empty, longer than the context, image markers
    /// that do not match the images) names the prompt file when the prompt came from one.
    func attributing<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let e as GenerationError {
            guard let promptFile else { throw e }
            throw CLIFailure("\(promptFile): \(e)")
        }
    }

    func text() throws -> String {
        if let prompt { return prompt }
        guard let path = promptFile else { return "" }
        guard let data = FileManager.default.contents(atPath: path) else { throw CLIFailure("\(path): cannot read prompt file") }
        guard let s = String(validating: data, as: UTF8.self) else { throw CLIFailure("\(path): prompt file is not valid UTF-8") }
        return s
    }
}
