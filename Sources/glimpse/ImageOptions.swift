import ArgumentParser
import Foundation
import Generation
import GPTJ
import Multimodal
import Vision

/// Images for a prompt: each `<image>` marker in the prompt takes the next --image.
struct ImageOptions: ParsableArguments {
    @Option(name: .long, help: "Vision projector file (GGUF) that turns images into soft tokens. Default with --image: the shipped models/\(ShippedModels.projector).")
    var mmproj: String?

    @Option(name: .customLong("image"), help: "Image (JPEG or PNG); repeatable. Each <image> marker takes the next one; without markers images go first.")
    var images: [String] = []

    /// The decoder input for `text` with its images: embeddings (count, n_embd) and, per position, the
    /// token id (nil where a soft token stands).
    func input(_ text: String, model: GPTJModel, session: GPTJSession) throws -> (embeddings: [Float], ids: [Int32?]) {
        let chunks = try MultimodalPrompt.chunks(text, imageCount: images.count)
        var projector: VisionProjector?
        if !images.isEmpty {
            let mmproj = try ShippedModels.resolve(mmproj, file: ShippedModels.projector, option: "--mmproj")
            let p = try VisionProjector(path: mmproj, threads: session.pool.size)
            guard p.tokenWidth == model.config.embeddingWidth else {
                throw PromptError.widthMismatch(projector: p.tokenWidth, model: model.config.embeddingWidth, path: mmproj)
            }
            projector = p
        }
        var cache: [String: [Float]] = [:]  // an image given twice is encoded once
        return try MultimodalPrompt.embed(chunks, tokenizer: model.tokenizer, session: session) { i in
            let path = images[i]
            if let hit = cache[path] { return hit }
            guard let projector else { return [] }
            let tokens = projector.softTokens(pixels: try ImageInput.pixels(path: path, projector: projector))
            cache[path] = tokens
            return tokens
        }
    }
}
