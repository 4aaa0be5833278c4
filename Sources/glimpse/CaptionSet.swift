import ArgumentParser
import Evaluation
import Foundation
import Generation
import Multimodal

extension Glimpse {
    struct CaptionSet: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "caption-set",
            abstract: "Caption a whole image set into COCO results format, resumably.",
            discussion: """
            Writes [{"image_id", "caption"}] to --out. Every caption is appended to OUT.journal.jsonl as soon as it \
            exists; rerunning the same command after an interruption skips finished images. --shard i/N takes every \
            N-th image starting at i, so N machines share a set; join their outputs with `glimpse merge`. \
            With --seed each image gets a seed derived from it and the image id, so results do not depend on \
            sharding or order. Greedy (--temp 0) unless told otherwise.
            Example: glimpse caption-set -m gptj.gguf --mmproj limber.gguf --images val2014/ --out results.json --shard 0/4
            """)

        @OptionGroup var modelOptions: ModelOptions
        @OptionGroup var task: ImageTaskOptions
        @OptionGroup var sampling: SamplingOptions

        @Option(name: .long, help: "Folder of images.")
        var images: String

        @Option(name: .long, help: "COCO captions annotation file: caption its images and score BLEU-1..4, ROUGE-L and CIDEr-D.")
        var annotations: String?

        @OptionGroup var set: SetOptions

        func run() throws {
            try OutputPath.check(set.out)
            let coco = try annotations.map { try COCOCaptionAnnotations.load(from: URL(fileURLWithPath: $0)) }
            let entries = set.select(try coco.map { try ImageSet.annotated($0, folder: images) } ?? ImageSet.folder(images))
            let runner = try task.makeRunner(modelOptions: modelOptions, kind: .caption)
            let settings = sampling.settings(defaultTemperature: 0)
            let journal = try set.journal(runner, task, settings, seed: sampling.seed ?? 0, stops: task.stopStrings(for: .caption))
            var setRun = SetRun(label: "caption-set", journal: journal, runner: runner, sampling: settings,
                                baseSeed: sampling.seed ?? 0, maxTokens: task.maxTokens, stops: task.stopStrings(for: .caption),
                                idKey: "image_id", valueKey: "caption")
            setRun.batch = task.batch
            let (results, failed) = try setRun.run(entries.map { SetRun.Item(id: $0.id, image: $0.path, values: [:]) })
            let wanted = Set(entries.map(\.id))
            let captions = results.filter { wanted.contains($0.key) }
            try COCOCaptionResult.write(captions, to: URL(fileURLWithPath: set.out))
            CLI.log("caption-set: wrote \(captions.count) captions to \(set.out) (\(runner.imagesEncoded) images encoded)")
            if let coco {
                let candidates = captions
                let references = CaptionReferences(coco.references.captions.filter { candidates[$0.key] != nil })
                let scores = try captionScores(candidates: candidates, references: references)
                let metrics: [String: Any] = [
                    "images": candidates.count, "BLEU-1": scores.bleu1, "BLEU-2": scores.bleu2, "BLEU-3": scores.bleu3,
                    "BLEU-4": scores.bleu4, "ROUGE-L": scores.rougeL, "CIDEr-D": scores.ciderD,
                ]
                try AtomicFile.writeJSON(metrics, to: set.metricsPath)
                print(String(format: "BLEU-1 %.4f  BLEU-2 %.4f  BLEU-3 %.4f  BLEU-4 %.4f  ROUGE-L %.4f  CIDEr-D %.4f  (%d images)",
                             scores.bleu1, scores.bleu2, scores.bleu3, scores.bleu4, scores.rougeL, scores.ciderD, candidates.count))
                CLI.log("caption-set: metrics written to \(set.metricsPath)")
            }
            if !failed.isEmpty {
                throw CLIFailure("\(failed.count) images failed: " + failed.map { "\($0.0.image) (\($0.1))" }.joined(separator: "; "))
            }
        }
    }
}
