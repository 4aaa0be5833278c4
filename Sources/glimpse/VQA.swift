import ArgumentParser
import Evaluation
import Foundation
import Generation
import Multimodal
import Vision

extension Glimpse {
    struct VQA: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "vqa",
            abstract: "Answer VQAv2 questions about images (open-ended, greedy), resumably.",
            discussion: """
            Reads VQAv2 questions ({"questions": [{"image_id", "question", "question_id"}]}), finds each image in \
            --images by its number (COCO_val2014_000000391895.jpg is image 391895), and writes [{"question_id", \
            "answer"}] to --out. Answers are cut at the first newline or "Q:". --shots K takes the first K annotated \
            questions (by id) as support examples (prompts/fewshot-vqa.txt; they are not evaluated); --shots FILE \
            reads them from a JSON list. Journal, --shard, --limit, --seed and --batch work as in caption-set.
            Example: glimpse vqa -m gptj.gguf --mmproj limber.gguf --questions q.json --images val2014/ --annotations a.json --out answers.json
            """)

        @OptionGroup var modelOptions: ModelOptions
        @OptionGroup var task: ImageTaskOptions
        @OptionGroup var sampling: SamplingOptions

        @Option(name: .long, help: "VQAv2 questions JSON.")
        var questions: String

        @Option(name: .long, help: "Folder of images.")
        var images: String

        @Option(name: .long, help: "VQAv2 annotations JSON: enables VQA accuracy (and --shots K).")
        var annotations: String?

        @OptionGroup var set: SetOptions

        func validate() throws {
            if let s = task.shots, Int(s) != nil, annotations == nil { throw ValidationError("--shots K needs --annotations (the support answers)") }
        }

        func run() throws {
            try OutputPath.check(set.out)
            let qs = try VQAQuestions.load(from: URL(fileURLWithPath: questions)).questions
            let byImage = Dictionary(try ImageSet.folder(images).map { ($0.id, $0.path) }, uniquingKeysWith: { a, _ in a })
            let annotationList = try annotations.map { try VQAAnnotations.load(from: URL(fileURLWithPath: $0)).annotations }
            let answers = annotationList.map { list in Dictionary(list.map { ($0.questionID, $0) }, uniquingKeysWith: { a, _ in a }) }
            var support: [SupportExample]?
            var evaluated = qs
            if let s = task.shots, let k = Int(s) {
                guard let answers else { throw CLIFailure("--shots K needs --annotations") }
                let chosen = qs.filter { answers[$0.questionID] != nil }.sorted { $0.questionID < $1.questionID }.prefix(k)
                support = try chosen.map { q in
                    guard let path = byImage[q.imageID] else { throw CLIFailure("\(images): no image for image_id \(q.imageID)") }
                    let a = answers[q.questionID]
                    return SupportExample(image: path, values: ["question": q.question, "answer": a?.multipleChoiceAnswer ?? a?.answers.first?.answer ?? ""])
                }
                let used = Set(chosen.map(\.questionID))
                evaluated = qs.filter { !used.contains($0.questionID) }
            }
            var items: [SetRun.Item] = []
            var missing: [String] = []
            for q in evaluated.sorted(by: { $0.questionID < $1.questionID }) {
                guard let path = byImage[q.imageID] else { missing.append("question \(q.questionID): no image \(q.imageID)"); continue }
                items.append(SetRun.Item(id: q.questionID, image: path, values: ["question": q.question]))
            }
            items = set.select(items)

            let runner = try task.makeRunner(modelOptions: modelOptions, kind: .vqa, support: support)
            let settings = sampling.settings(defaultTemperature: 0)
            let stops = task.stopStrings(for: .vqa)
            let journal = try set.journal(runner, task, settings, seed: sampling.seed ?? 0, stops: stops)
            var setRun = SetRun(label: "vqa", journal: journal, runner: runner, sampling: settings, baseSeed: sampling.seed ?? 0,
                                maxTokens: task.maxTokens, stops: stops, idKey: "question_id", valueKey: "answer")
            setRun.batch = task.batch
            let (results, failed) = try setRun.run(items)
            let wanted = Set(items.map(\.id))
            let answered = results.filter { wanted.contains($0.key) }
            try VQAResult.write(answered, to: URL(fileURLWithPath: set.out))
            CLI.log("vqa: wrote \(answered.count) answers to \(set.out)")
            if let annotationList {
                let scores = try vqaAccuracy(predictions: answered, annotations: annotationList)
                var metrics: [String: Any] = ["vqa_accuracy": scores.overall * 100, "questions": scores.questionIDs.count]
                metrics["per_answer_type"] = scores.perAnswerType.mapValues { $0 * 100 }
                try AtomicFile.writeJSON(metrics, to: set.metricsPath)
                print(String(format: "VQA accuracy: %.2f over %d questions", scores.overall * 100, scores.questionIDs.count))
                for (type, acc) in scores.perAnswerType.sorted(by: { $0.key < $1.key }) { print(String(format: "  %@: %.2f", type, acc * 100)) }
                CLI.log("vqa: metrics written to \(set.metricsPath)")
            }
            let problems = missing + failed.map { "question \($0.0.id): \($0.1)" }
            if !problems.isEmpty { throw CLIFailure("\(problems.count) questions failed: " + problems.joined(separator: "; ")) }
        }
    }
}
