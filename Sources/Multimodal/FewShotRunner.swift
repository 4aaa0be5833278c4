import Foundation
import Generation
import GPTJ
import Tokenizer
import Vision

/// One support example of a few-shot prompt: its image and the values of the template's placeholders.
public struct SupportExample: Sendable, Equatable {
    public var image: String
    public var values: [String: String]

    public init(image: String, values: [String: String]) {
        self.image = image
        self.values = values
    }
}

/// Runs image prompts built from a template: the support examples (images and text) form a prefix that is
/// evaluated once and kept in the KV cache; each query truncates the cache back to that prefix and extends
/// it, so the prefix is never recomputed. An image used twice is encoded once.
public final class FewShotRunner {
    public let model: GPTJModel
    public let projector: VisionProjector
    public let template: PromptTemplate
    public let shots: [SupportExample]
    public let session: GPTJSession
    /// Positions taken by the support prefix (computed before any work).
    public let prefixLength: Int
    /// False recomputes the prefix for every query (only to measure what reuse saves).
    public var reusePrefix = true
    private var prefixReady = false
    private var imageCache: [String: [Float]] = [:]
    /// Extra sessions for batched generation (created on first use, sharing the thread pool).
    var batchSessions: [GPTJSession] = []
    /// Images encoded so far (cache misses).
    public private(set) var imagesEncoded = 0
    /// Seconds spent encoding images and on prefill/decoding.
    public private(set) var encodeSeconds = 0.0

    public init(model: GPTJModel, projector: VisionProjector, template: PromptTemplate, shots: [SupportExample],
                session: GPTJSession) throws {
        guard projector.tokenWidth == model.config.embeddingWidth else {
            throw PromptError.widthMismatch(projector: projector.tokenWidth, model: model.config.embeddingWidth, path: projector.file.path)
        }
        self.model = model
        self.projector = projector
        self.template = template
        self.shots = shots
        self.session = session
        let prefixText = try template.render(shots: shots.map(\.values), query: [:], renderQuery: false)
        prefixLength = try Self.positions(of: prefixText, images: shots.count, model: model, projector: projector)
    }

    /// Positions a rendered text with `images` markers occupies, without encoding anything.
    static func positions(of text: String, images: Int, model: GPTJModel, projector: VisionProjector) throws -> Int {
        try MultimodalPrompt.chunks(text, imageCount: images).reduce(0) { n, chunk in
            switch chunk {
            case .text(let s): return n + model.tokenizer.encode(s).count
            case .image: return n + projector.tokensPerImage
            }
        }
    }

    /// Positions a query needs on top of the prefix, plus `maxTokens`; throws if that overflows the context.
    public func checkFits(values: [String: String], maxTokens: Int) throws {
        let query = try template.render(shots: [], query: values)
        let needed = prefixLength + (try Self.positions(of: query, images: 1, model: model, projector: projector)) + maxTokens
        guard needed <= model.config.contextLength else {
            throw GenerationError.contextOverflow(needed: needed, context: model.config.contextLength)
        }
    }

    /// Soft tokens of an image file (cached by path).
    public func softTokens(_ path: String) throws -> [Float] {
        if let hit = imageCache[path] { return hit }
        let start = Date()
        let image = try ImageLoader.load(path: path)
        let pixels = CLIPPreprocessor(size: projector.imageSize, mean: projector.mean, std: projector.std)(image)
        let tokens = projector.softTokens(pixels: pixels)
        encodeSeconds += Date().timeIntervalSince(start)
        imagesEncoded += 1
        imageCache[path] = tokens
        return tokens
    }

    /// Puts the support prefix in the cache (once) and cuts the cache back to it.
    public func resetToPrefix() throws {
        if !prefixReady || !reusePrefix {
            session.truncate(to: 0)
            let text = try template.render(shots: shots.map(\.values), query: [:], renderQuery: false)
            let chunks = try MultimodalPrompt.chunks(text, imageCount: shots.count)
            if !chunks.isEmpty {
                let input = try MultimodalPrompt.embed(chunks, tokenizer: model.tokenizer, session: session) { try softTokens(shots[$0].image) }
                _ = try session.forward(input.embeddings, count: input.ids.count, allLogits: false)
            }
            prefixReady = true
        }
        session.truncate(to: prefixLength)
    }

    /// The query's decoder input (after the prefix): embeddings and token ids (nil for soft tokens).
    public func queryInput(image: String, values: [String: String]) throws -> (embeddings: [Float], ids: [Int32?]) {
        let text = try template.render(shots: [], query: values)
        let chunks = try MultimodalPrompt.chunks(text, imageCount: 1)
        return try MultimodalPrompt.embed(chunks, tokenizer: model.tokenizer, session: session) { _ in try softTokens(image) }
    }

    /// Generates a continuation of the prompt for one query image, streaming text through `onText`.
    /// The text stops at EOS, `maxTokens`, or the first stop string (not included).
    public func generate(image: String, values: [String: String], sampling: SamplingSettings, maxTokens: Int,
                         stops: [String], onText: (String) -> Void = { _ in }) throws -> String {
        try checkFits(values: values, maxTokens: maxTokens)
        let input = try queryInput(image: image, values: values)  // encode first: a bad image costs no LM work
        try resetToPrefix()
        let iterator = try TokenIterator(
            session: session, prompt: input.embeddings, promptCount: input.ids.count,
            sampler: SamplerChain(sampling, history: input.ids.compactMap { $0 }), allowed: model.samplableTokenCount,
            eos: model.eosToken, maxTokens: maxTokens)
        var detok = StreamingDetokenizer(tokenizer: model.tokenizer)
        var stopper = StopMatcher(stops: stops)
        var text = ""
        while !stopper.stopped, let token = try iterator.next() {
            let piece = stopper.feed(detok.append(token.id))
            text += piece
            onText(piece)
        }
        let tail = stopper.feed(detok.flush()) + stopper.flush()
        text += tail
        onText(tail)
        return text
    }
}

extension FewShotRunner {
    /// One query of a batch.
    public struct Query {
        public let image: String
        public let values: [String: String]
        public let sampling: SamplingSettings

        public init(image: String, values: [String: String], sampling: SamplingSettings) {
            self.image = image
            self.values = values
            self.sampling = sampling
        }
    }

    /// Generates for several queries together: each gets its own copy of the prefix cache and its own
    /// prefill, then all of them decode in lock step, one pass over the weights per step for the whole
    /// batch. Each result equals what `generate` gives for that query alone (greedy: identically).
    /// - Returns: per query, the text or the error that stopped it (an unreadable image fails only itself).
    public func generateBatch(_ queries: [Query], maxTokens: Int, stops: [String]) throws -> [Result<String, Error>] {
        guard queries.count > 1 else {
            return queries.map { q in Result { try generate(image: q.image, values: q.values, sampling: q.sampling, maxTokens: maxTokens, stops: stops) } }
        }
        for q in queries { try checkFits(values: q.values, maxTokens: maxTokens) }
        try resetToPrefix()
        while batchSessions.count < queries.count {
            batchSessions.append(model.makeSession(kvType: session.cache.type, pool: session.pool, batchSize: session.batchSize))
        }
        struct Lane {
            var session: GPTJSession
            var sampler: SamplerChain
            var detok: StreamingDetokenizer
            var stopper: StopMatcher
            var logits: [Float]
            var text = ""
            var produced = 0
            var done = false
        }
        var results = [Result<String, Error>?](repeating: nil, count: queries.count)
        var lanes: [Int: Lane] = [:]
        for (i, q) in queries.enumerated() {
            do {
                let input = try queryInput(image: q.image, values: q.values)
                let s = batchSessions[i]
                s.copyPrefix(from: session, length: prefixLength)
                let logits = try s.forward(input.embeddings, count: input.ids.count, allLogits: false)
                lanes[i] = Lane(session: s, sampler: SamplerChain(q.sampling, history: input.ids.compactMap { $0 }),
                                detok: StreamingDetokenizer(tokenizer: model.tokenizer), stopper: StopMatcher(stops: stops), logits: logits)
            } catch {
                results[i] = .failure(error)
            }
        }
        while true {
            var step: [(Int, Int32)] = []
            for i in lanes.keys.sorted() {
                guard var lane = lanes[i], !lane.done else { continue }
                let token = lane.logits.withUnsafeBufferPointer { lane.sampler.sample($0, allowed: model.samplableTokenCount) }
                if token == model.eosToken {
                    lane.done = true
                } else {
                    lane.text += lane.stopper.feed(lane.detok.append(token))
                    lane.produced += 1
                    lane.done = lane.stopper.stopped || lane.produced >= maxTokens || lane.session.position >= model.config.contextLength
                    if !lane.done { step.append((i, token)) }
                }
                lanes[i] = lane
            }
            guard !step.isEmpty else { break }
            let sessions = step.compactMap { lanes[$0.0]?.session }
            let logits = try session.decodeStep(sessions, tokens: step.map(\.1))
            let v = model.config.vocabularySize
            for (k, (i, _)) in step.enumerated() { lanes[i]?.logits = Array(logits[(k * v)..<((k + 1) * v)]) }
        }
        for (i, var lane) in lanes {
            lane.text += lane.stopper.feed(lane.detok.flush()) + lane.stopper.flush()
            results[i] = .success(lane.text)
        }
        return results.map { $0 ?? .failure(GenerationError.emptyPrompt) }
    }
}
