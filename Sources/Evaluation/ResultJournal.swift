import Foundation

/// An append-only JSON Lines file that makes long runs resumable: each result is written (one line,
/// flushed to the file) as soon as it exists, so an interrupted run (Ctrl-C, kill -9, a crash) loses at most
/// the line being written. A torn last line is detected and cut off when the journal is reopened. The first
/// line records the run's settings, so a journal is never resumed by a different configuration.
public final class ResultJournal {
    public let path: String
    /// Completed records, in the order they were written (later duplicates replace earlier ones).
    public private(set) var records: [[String: Any]] = []
    private let handle: FileHandle

    public enum Failure: Error, CustomStringConvertible {
        case differentSettings(path: String)
        case cannotOpen(path: String, reason: String)
        case corrupt(path: String, line: Int)

        public var description: String {
            switch self {
            case .differentSettings(let p): return "\(p): this journal was written by a run with other settings; delete it or choose another --out"
            case .cannotOpen(let p, let r): return "\(p): cannot open journal: \(r)"
            case .corrupt(let p, let l): return "\(p): line \(l) is not a JSON object (only the last line may be torn)"
            }
        }
    }

    /// Opens (or creates) the journal. `settings` identifies the run; a journal with other settings is refused.
    public init(path: String, settings: [String: String]) throws {
        self.path = path
        let fm = FileManager.default
        let header = ["glimpse_journal": settings]
        if let data = fm.contents(atPath: path), !data.isEmpty {
            var lines = data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
            var keep = data.count
            // a last line without its newline was being written when the run stopped: drop it
            if data.last != UInt8(ascii: "\n"), let torn = lines.popLast() { keep -= torn.count }
            if lines.last?.isEmpty == true { lines.removeLast() }
            for (i, line) in lines.enumerated() {
                guard let obj = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any] else {
                    throw Failure.corrupt(path: path, line: i + 1)
                }
                if i == 0 {
                    guard (obj["glimpse_journal"] as? [String: String]) == settings else { throw Failure.differentSettings(path: path) }
                } else {
                    records.append(obj)
                }
            }
            if lines.isEmpty { keep = 0 }
            if keep < data.count { Self.truncate(path, to: keep) }
        }
        if !fm.fileExists(atPath: path) || (fm.contents(atPath: path)?.isEmpty ?? true) {
            guard fm.createFile(atPath: path, contents: Self.line(header)) else {
                throw Failure.cannotOpen(path: path, reason: String(cString: strerror(errno)))
            }
        }
        guard let h = FileHandle(forWritingAtPath: path) else {
            throw Failure.cannotOpen(path: path, reason: String(cString: strerror(errno)))
        }
        handle = h
        handle.seekToEndOfFile()
    }

    deinit { try? handle.close() }

    /// Appends one record as a single write of a whole line.
    public func append(_ record: [String: Any]) throws {
        handle.write(Self.line(record))
        records.append(record)
    }

    static func line(_ object: Any) -> Data {
        var d = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        d.append(UInt8(ascii: "\n"))
        return d
    }

    private static func truncate(_ path: String, to length: Int) {
        if let h = FileHandle(forWritingAtPath: path) {
            h.truncateFile(atOffset: UInt64(length))
            try? h.close()
        }
    }
}

/// Writes a file atomically: a temporary file in the same folder, renamed over the target when complete.
public enum AtomicFile {
    public static func write(_ data: Data, to path: String) throws {
        let tmp = path + ".tmp-\(ProcessInfo.processInfo.processIdentifier)"
        do {
            try data.write(to: URL(fileURLWithPath: tmp))
            guard rename(tmp, path) == 0 else { throw CocoaError(.fileWriteUnknown) }
        } catch {
            try? FileManager.default.removeItem(atPath: tmp)
            throw AtomicFileError(path: path, reason: String(cString: strerror(errno)))
        }
        removeOrphans(of: path)
    }

    /// Temporary files of earlier writers of `path` that were killed (SIGKILL leaves no chance to clean
    /// up); a file whose process still runs is another writer's and is left alone.
    static func removeOrphans(of path: String) {
        let url = URL(fileURLWithPath: path)
        let prefix = url.lastPathComponent + ".tmp-"
        let folder = url.deletingLastPathComponent()
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { return }
        for name in names where name.hasPrefix(prefix) {
            guard let pid = Int32(name.dropFirst(prefix.count)), pid > 0 else { continue }
            if kill(pid, 0) != 0 && errno == ESRCH { try? FileManager.default.removeItem(at: folder.appendingPathComponent(name)) }
        }
    }

    public static func writeJSON(_ object: Any, to path: String) throws {
        let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        try write(data + Data("\n".utf8), to: path)
    }
}

public struct AtomicFileError: Error, CustomStringConvertible {
    public let path: String
    public let reason: String
    public var description: String { "\(path): cannot write: \(reason)" }
}
