import ArgumentParser
import Evaluation
import Foundation

extension Glimpse {
    struct Merge: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Join the outputs of sharded caption-set or vqa runs into one results file.",
            discussion: """
            Inputs are COCO caption results ([{"image_id", "caption"}]) or VQA results ([{"question_id", "answer"}]). \
            An id present in two inputs with different values is an error; the output is sorted by id and written atomically.
            Example: glimpse merge --out results.json shard-0.json shard-1.json shard-2.json shard-3.json
            """)

        @Option(name: .long, help: "Merged output JSON.")
        var out: String

        @Argument(help: "Shard outputs.")
        var inputs: [String]

        func run() throws {
            try OutputPath.check(out)
            var merged: [ImageID: [String: Any]] = [:]
            var keyName: String?
            for path in inputs {
                guard let list = try JSONFile.object(atPath: path) as? [[String: Any]] else {
                    throw CLIFailure("\(path): expected a JSON list of results")
                }
                for (i, record) in list.enumerated() {
                    guard let key = ["image_id", "question_id"].first(where: { record[$0] != nil }), let id = ImageID(json: record[key]) else {
                        throw CLIFailure("\(path): result \(i) has no image_id or question_id")
                    }
                    if let k = keyName, k != key { throw CLIFailure("\(path): mixes \(k) and \(key) results") }
                    keyName = key
                    if let old = merged[id], !NSDictionary(dictionary: old).isEqual(to: record) {
                        throw CLIFailure("\(path): \(key) \(id) differs from an earlier input")
                    }
                    merged[id] = record
                }
            }
            try AtomicFile.writeJSON(merged.keys.sorted().compactMap { merged[$0] }, to: out)
            CLI.log("merge: wrote \(merged.count) results from \(inputs.count) files to \(out)")
        }
    }
}
