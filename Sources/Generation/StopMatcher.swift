import Foundation

/// Holds back streamed text that might be the start of a stop string, so a stop string is never
/// printed, not even partly.
public struct StopMatcher: Sendable {
    public let stops: [String]
    private var pending = ""
    public private(set) var stopped = false

    public init(stops: [String]) { self.stops = stops.filter { !$0.isEmpty } }

    /// Adds newly decoded text; returns what is safe to emit now.
    public mutating func feed(_ text: String) -> String {
        guard !stopped else { return "" }
        pending += text
        guard !stops.isEmpty else { defer { pending = "" }; return pending }
        if let hit = stops.compactMap({ pending.range(of: $0) }).min(by: { $0.lowerBound < $1.lowerBound }) {
            stopped = true
            defer { pending = "" }
            return String(pending[..<hit.lowerBound])
        }
        // keep the longest suffix of pending that is a prefix of some stop string
        var keep = 0
        for s in stops {
            for n in stride(from: min(s.count, pending.count), to: 0, by: -1) where n > keep {
                if pending.hasSuffix(String(s.prefix(n))) { keep = n; break }
            }
        }
        let emit = String(pending.dropLast(keep))
        pending = String(pending.suffix(keep))
        return emit
    }

    /// Text still held back at the end of generation (it did not become a stop string).
    public mutating func flush() -> String {
        defer { pending = "" }
        return stopped ? "" : pending
    }
}
