import Foundation

/// The small model that ships in models/: what every command runs when -m / --mmproj are not given,
/// so a fresh clone does real work at once.
enum ShippedModels {
    static let languageModel = "glimpse-shapes-q8_0.gguf"
    static let projector = "glimpse-shapes-mmproj-f16.gguf"

    /// Folders searched, in order: $GLIMPSE_MODELS, ./models, the package's models/ seen from the binary
    /// (`.build/<config>/glimpse`, also through the triple-named build folder), and last the models/ of
    /// the source tree it was built from (builds with another --scratch-path).
    static func searchFolders(environment: [String: String] = ProcessInfo.processInfo.environment) -> [String] {
        var folders: [String] = []
        if let dir = environment["GLIMPSE_MODELS"], !dir.isEmpty { folders.append(dir) }
        folders.append("models")
        let binary = URL(fileURLWithPath: CommandLine.arguments.first ?? "").resolvingSymlinksInPath()
        var dir = binary.deletingLastPathComponent()
        for _ in 0..<4 {
            dir = dir.deletingLastPathComponent()
            folders.append(dir.appendingPathComponent("models").path)
        }
        let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        folders.append(sources.appendingPathComponent("models").path)
        return folders
    }

    /// `given` when set; otherwise the shipped `file`, or an error naming the option to use.
    static func resolve(_ given: String?, file: String, option: String) throws -> String {
        if let given { return given }
        for folder in searchFolders() {
            let path = (folder as NSString).appendingPathComponent(file)
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue {
                return path
            }
        }
        throw CLIFailure("no \(option) given and the shipped \(file) was not found in $GLIMPSE_MODELS, ./models or beside the glimpse package")
    }
}
