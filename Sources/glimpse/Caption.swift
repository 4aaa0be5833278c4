import ArgumentParser
import Foundation
import Generation
import GPTJ
import Multimodal
import Vision

extension Glimpse {
    struct Caption: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Caption images, streaming each caption as it is generated.",
            discussion: """
            One image prints its caption; several print "IMAGE<TAB>caption" lines in order. With --shots the \
            support examples form a Frozen-style prefix (prompts/fewshot-caption.txt) that is computed once and \
            reused for every image. Images that cannot be read are reported on stderr and the run goes on; the \
            exit status is 1 if any failed.
            Example: glimpse caption -m gptj.gguf --mmproj limber.gguf photos/*.jpg
            """)

        @OptionGroup var modelOptions: ModelOptions
        @OptionGroup var task: ImageTaskOptions
        @OptionGroup var sampling: SamplingOptions

        @Argument(help: "Images (JPEG or PNG).")
        var images: [String]

        func validate() throws {
            guard !images.isEmpty else { throw ValidationError("give at least one image") }
        }

        func run() throws {
            let runner = try task.makeRunner(modelOptions: modelOptions, kind: .caption)
            let settings = sampling.settings(defaultTemperature: 0)
            var failed: [String] = []
            for image in images {
                if images.count > 1 { CLI.emit(image + "\t") }
                do {
                    var streamed = ""
                    _ = try runner.generate(image: image, values: [:], sampling: settings, maxTokens: task.maxTokens,
                                                   stops: task.stopStrings(for: .caption)) { piece in
                        // leading spaces are trimmed from the printed caption, so hold them back
                        let out = streamed.isEmpty ? String(piece.drop { $0 == " " }) : piece
                        streamed += out
                        CLI.emit(out)
                    }
                    CLI.emit("\n")
                } catch {
                    CLI.emit("\n")
                    CLI.log("glimpse: error: \(error)")
                    failed.append(image)
                }
            }
            if !failed.isEmpty {
                throw CLIFailure("\(failed.count) of \(images.count) images failed: \(failed.joined(separator: ", "))")
            }
        }
    }
}
