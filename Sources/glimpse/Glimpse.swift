import ArgumentParser
import Foundation
import GGUF

@main
struct Glimpse: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "glimpse",
        abstract: "Run GPT-J (and LiMBeR-style image prompts) on the CPU from GGUF files.",
        subcommands: [Generate.self, Score.self, Rank.self, Caption.self, CaptionSet.self, VQA.self, Merge.self, EmbedImage.self, Convert.self, Quantize.self, Inspect.self, Synth.self, Bench.self])

    static func main() {
        MappedFile.guardAgainstShrinkingFiles(prefix: "glimpse: error: ")
        if let bad = RawArguments.firstInvalidUTF8() {
            CLI.fail("command-line argument \(bad) is not valid UTF-8")
        }
        var command: ParsableCommand
        do {
            command = try parseAsRoot()
        } catch {
            exit(withError: error)  // usage errors, --help and --version keep ArgumentParser's format
        }
        do {
            try command.run()
        } catch {
            // help, --version and validation errors surface here too: ArgumentParser formats those;
            // everything else is ours and gets one line naming the problem
            guard exitCode(for: error) == .failure, !(error is ValidationError) else { exit(withError: error) }
            CLI.fail("\(error)")
        }
    }
}
