import ArgumentParser
import Foundation

@main
struct Glimpse: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "glimpse",
        abstract: "Run GPT-J (and LiMBeR-style image prompts) on the CPU from GGUF files.",
        subcommands: [Generate.self, Score.self, Convert.self, Quantize.self, Inspect.self])

    static func main() {
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
        } catch let error as ValidationError {
            exit(withError: error)
        } catch let error as CleanExit {
            exit(withError: error)
        } catch {
            CLI.fail("\(error)")
        }
    }
}
