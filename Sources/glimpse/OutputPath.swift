import Foundation

/// Output paths are checked before any work starts, so an unwritable --out fails at once instead of
/// after an hour of captioning, and an existing folder is never replaced by a file.
enum OutputPath {
    static func check(_ path: String) throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw CLIFailure("\(path): cannot write: is a directory")
        }
        let parent = (path as NSString).deletingLastPathComponent
        let folder = parent.isEmpty ? "." : parent
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory) else {
            throw CLIFailure("\(path): cannot write: folder \(folder) does not exist")
        }
        guard isDirectory.boolValue else { throw CLIFailure("\(path): cannot write: \(folder) is not a folder") }
        guard access(folder, W_OK) == 0 else { throw CLIFailure("\(path): cannot write: folder \(folder) is not writable") }
    }
}
