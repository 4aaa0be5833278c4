import ArgumentParser
import Evaluation
import Foundation
import Generation
import GGUF
import Multimodal

/// The loop shared by caption-set and vqa: skip what the journal already has, run the rest with a per-item
/// seed, journal each result at once, report progress and failures, and hand back every result.
struct SetRun {
    struct Item {
        /// The journal key (image id or question id) and the seed source.
        let id: ImageID
        let image: String
        let values: [String: String]
    }

    let label: String
    let journal: ResultJournal
    let runner: FewShotRunner
    let sampling: SamplingSettings
    let baseSeed: UInt64
    let maxTokens: Int
    let stops: [String]
    /// Turns generated text into the stored answer.
    var clean: (String) -> String = { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
    /// The record's key name in the output ("image_id" / "question_id") and value name ("caption" / "answer").
    let idKey: String
    let valueKey: String
    /// Sequences decoded together (one pass over the weights per step for all of them).
    var batch = 1

    /// Runs the items; returns the results (journal order, one per id) and the items that failed.
    func run(_ items: [Item]) throws -> (results: [ImageID: String], failed: [(Item, String)]) {
        var results: [ImageID: String] = [:]
        for r in journal.records {
            if let id = ImageID(json: r[idKey]), let v = r[valueKey] as? String { results[id] = v }
        }
        let todo = items.filter { results[$0.id] == nil }
        if items.count > todo.count {
            CLI.log("\(label): resuming, \(items.count - todo.count) of \(items.count) already in \(journal.path)")
        }
        // refuse any prompt that cannot fit before doing any work (tokenizing them all is cheap)
        for item in todo { try runner.checkFits(values: item.values, maxTokens: maxTokens) }
        var failed: [(Item, String)] = []
        let start = Date()
        var done = 0
        for group in stride(from: 0, to: todo.count, by: max(1, batch)).map({ Array(todo[$0..<min(todo.count, $0 + batch)]) }) {
            let queries = group.map { item -> FewShotRunner.Query in
                var settings = sampling
                settings.seed = ImageSet.seed(baseSeed, for: item.id)
                return FewShotRunner.Query(image: item.image, values: item.values, sampling: settings)
            }
            let outcomes = try runner.generateBatch(queries, maxTokens: maxTokens, stops: stops)
            // Nothing computed while a model file changed on disk is journaled.
            try runner.model.file.checkUnchanged()
            try runner.projector.file.checkUnchanged()
            for (item, outcome) in zip(group, outcomes) {
                switch outcome {
                case .success(let text):
                    let value = clean(text)
                    try journal.append([idKey: item.id.jsonValue, valueKey: value])
                    results[item.id] = value
                case .failure(let error as GenerationError):
                    throw error  // context overflow and the like concern every item: stop
                case .failure(let error):
                    failed.append((item, "\(error)"))
                    CLI.log("glimpse: error: \(error)")
                }
            }
            done += group.count
            progress(done: done, of: todo.count, since: start)
        }
        return (results, failed)
    }

    /// One updating line on a terminal; otherwise a line every 10 seconds and at the end (log files stay short).
    private func progress(done: Int, of total: Int, since start: Date) {
        let now = Date()
        let perMinute = Double(done) / max(now.timeIntervalSince(start), 1e-9) * 60
        let eta = Double(total - done) / max(perMinute / 60, 1e-9)
        let line = String(format: "%@: %d/%d images, %.1f images/min, ETA %@", label, done, total, perMinute, Self.duration(eta))
        if isatty(2) != 0 {
            FileHandle.standardError.write(Data("\r\u{1B}[K\(line)\(done == total ? "\n" : "")".utf8))
        } else if done == total || now.timeIntervalSince(lastLog.value) >= 10 {
            CLI.log(line)
            lastLog.value = now
        }
    }

    private let lastLog = Box(Date.distantPast)

    static func duration(_ s: Double) -> String {
        guard s.isFinite else { return "?" }
        let t = Int(s.rounded())
        return t >= 3600 ? "\(t / 3600)h\(t % 3600 / 60)m" : (t >= 60 ? "\(t / 60)m\(t % 60)s" : "\(t)s")
    }
}

final class Box<T> {
    var value: T
    init(_ value: T) { self.value = value }
}

/// Output and selection options of caption-set and vqa.
struct SetOptions: ParsableArguments {
    @Option(name: .long, help: "Output JSON (COCO captions or VQA results format); OUT.journal.jsonl keeps finished items.")
    var out: String

    @Option(name: .long, help: "Run at most this many items (of this shard).")
    var limit: Int?

    @Option(name: .long, help: "i/N: run the i-th of N disjoint shards (0-based): every N-th item from i.")
    var shard: String?

    func validate() throws {
        if let shard, ShardSpec(shard) == nil { throw ValidationError("--shard must be i/N with 0 <= i < N") }
        if let limit, limit < 1 { throw ValidationError("--limit must be >= 1") }
    }

    /// This shard's items, at most --limit of them.
    func select<T>(_ items: [T]) -> [T] {
        var chosen = items
        if let s = shard.flatMap(ShardSpec.init) { chosen = chosen.enumerated().filter { $0.offset % s.count == s.index }.map(\.element) }
        if let limit { chosen = Array(chosen.prefix(limit)) }
        return chosen
    }

    /// Where the scores go when annotations are given: OUT with its extension replaced by .metrics.json.
    var metricsPath: String { (out as NSString).deletingPathExtension + ".metrics.json" }

    /// A journal whose first line records every setting that changes results, so a resumed run can only
    /// continue an identical one (--limit, --shard and --batch do not change any single result).
    /// The model files are named as mapped, with their size and modification time then.
    func journal(_ runner: FewShotRunner, _ task: ImageTaskOptions, _ s: SamplingSettings, seed: UInt64, stops: [String]) throws -> ResultJournal {
        try ResultJournal(path: out + ".journal.jsonl", settings: [
            "model": runner.model.file.path, "mmproj": runner.projector.file.path, "prompt_file": task.promptFile ?? "built-in",
            "model_file": runner.model.file.identity.description, "mmproj_file": runner.projector.file.identity.description,
            "shots": task.shots ?? "", "max_tokens": String(task.maxTokens), "stops": stops.joined(separator: "\u{1F}"),
            "sampling": "\(s.temperature) \(s.topK) \(s.topP) \(s.minP) \(s.repetitionPenalty) \(s.compat) \(seed)",
        ])
    }
}

/// `--shard i/N`.
struct ShardSpec {
    let index: Int
    let count: Int

    init?(_ text: String) {
        let parts = text.split(separator: "/")
        guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]), n >= 1, i >= 0, i < n else { return nil }
        index = i
        count = n
    }
}
