import Foundation

/// Output helpers shared by the subcommands.
enum CLI {
    /// Prints `glimpse: error: <message>` as one line on stderr and exits non-zero.
    static func fail(_ message: String) -> Never {
        let oneLine = message.replacingOccurrences(of: "\n", with: " ")
        FileHandle.standardError.write(Data("glimpse: error: \(oneLine)\n".utf8))
        exit(1)
    }

    static func log(_ message: String) {
        FileHandle.standardError.write(Data((message + "\n").utf8))
    }

    /// Writes text to stdout immediately (streaming).
    static func emit(_ text: String) {
        guard !text.isEmpty else { return }
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    static func json(_ object: Any) -> String {
        guard JSONSerialization.isValidJSONObject(object),
              let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]),
              let s = String(data: data, encoding: .utf8) else { return "{}" }
        return s
    }

    /// Resident set size of this process in MB (Linux /proc), or nil where unavailable.
    static func residentMB() -> Double? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
              let kb = Double(line.split(separator: " ").dropFirst().first ?? "") else { return nil }
        return kb / 1024
    }
}

/// A usage error raised by our own checks (printed like ArgumentParser's).
struct CLIFailure: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

/// The process's arguments as raw bytes: Swift's CommandLine.arguments repairs invalid UTF-8
/// silently, which would feed U+FFFD into a prompt instead of reporting the problem.
enum RawArguments {
    static func firstInvalidUTF8() -> Int? {
        for i in 1..<Int(CommandLine.argc) {
            guard let p = CommandLine.unsafeArgv[i] else { continue }
            let bytes = UnsafeBufferPointer(start: UnsafeRawPointer(p).assumingMemoryBound(to: UInt8.self), count: strlen(p))
            if String(validating: bytes, as: UTF8.self) == nil { return i }
        }
        return nil
    }
}
