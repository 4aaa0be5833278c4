import Foundation

/// A prompt template (prompts/README.md): text with `<image>` markers and `{name}` placeholders, and for
/// few-shot use a per-example part and a query part separated by a line holding only `---`.
public struct PromptTemplate: Sendable, Equatable {
    /// Repeated once per support example; nil for a query-only template.
    public let shot: String?
    public let query: String

    public enum Failure: Error, CustomStringConvertible, Equatable {
        case unknownPlaceholder(name: String, source: String)
        case missingValue(name: String, source: String)
        case imageMarkers(part: String, found: Int, source: String)
        case noShotPart(source: String)

        public var description: String {
            switch self {
            case .unknownPlaceholder(let n, let s): return "\(s): unknown placeholder {\(n)} (known: {caption}, {question}, {answer})"
            case .missingValue(let n, let s): return "\(s): the template needs {\(n)} but no value was given for it"
            case .imageMarkers(let p, let f, let s): return "\(s): the \(p) part must contain exactly one <image> marker, found \(f)"
            case .noShotPart(let s): return "\(s): support examples were given but the template has no per-example part (a '---' line separates it from the query)"
            }
        }
    }

    public static let knownPlaceholders: Set<String> = ["caption", "question", "answer"]

    /// Built-in templates, identical to the files in prompts/.
    public static let caption = PromptTemplate(shot: nil, query: "<image>A picture of")
    public static let fewShotCaption = PromptTemplate(shot: "<image>A picture of {caption}.", query: "<image>A picture of")
    public static let vqa = PromptTemplate(shot: nil, query: "<image>Q: {question} A:")
    public static let fewShotVQA = PromptTemplate(shot: "<image>Q: {question} A: {answer}\n", query: "<image>Q: {question} A:")

    public init(shot: String?, query: String) {
        self.shot = shot
        self.query = query
    }

    /// Parses template text; `source` names it in errors (a file path or "built-in").
    public init(text: String, source: String) throws {
        // Splitting at newlines already drops the newline before "---"; the file's final newline is
        // dropped explicitly. Any other newline (an empty line) is kept.
        let lines = text.components(separatedBy: "\n")
        var queryLines = lines[...]
        if let sep = lines.firstIndex(of: "---") {
            shot = lines[..<sep].joined(separator: "\n")
            queryLines = lines[(sep + 1)...]
        } else {
            shot = nil
        }
        var q = queryLines.joined(separator: "\n")
        if q.hasSuffix("\n") { q.removeLast() }
        query = q
        for (name, p) in [("query", query)] + (shot.map { [("per-example", $0)] } ?? []) {
            try Self.checkPlaceholders(p, source: source)
            let markers = p.components(separatedBy: MultimodalPrompt.marker).count - 1
            guard markers == 1 else { throw Failure.imageMarkers(part: name, found: markers, source: source) }
        }
    }

    public init(path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw MultimodalError.unreadable(path: path, what: "prompt template")
        }
        guard let text = String(validating: data, as: UTF8.self) else {
            throw MultimodalError.invalidUTF8(path: path)
        }
        try self.init(text: text, source: path)
    }

    /// The full prompt: one rendered shot per support example, then the query. Its `<image>` markers
    /// are in order: the support images, then the query image.
    /// With `renderQuery` false only the support part is rendered (the reusable prefix).
    public func render(shots: [[String: String]], query values: [String: String], renderQuery: Bool = true,
                       source: String = "template") throws -> String {
        var out = ""
        if !shots.isEmpty {
            guard let shot else { throw Failure.noShotPart(source: source) }
            for s in shots { out += try Self.fill(shot, s, source: source) }
        }
        return renderQuery ? out + (try Self.fill(query, values, source: source)) : out
    }

    static func placeholders(in text: String) -> [String] {
        var names: [String] = []
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
            names.append(String(rest[rest.index(after: open)..<close]))
            rest = rest[rest.index(after: close)...]
        }
        return names
    }

    static func checkPlaceholders(_ text: String, source: String) throws {
        for name in placeholders(in: text) where !knownPlaceholders.contains(name) {
            throw Failure.unknownPlaceholder(name: name, source: source)
        }
    }

    /// One left-to-right pass over the placeholders `placeholders(in:)` finds: values go in verbatim,
    /// so braces inside a caption or question are never filled in turn.
    static func fill(_ text: String, _ values: [String: String], source: String) throws -> String {
        var out = ""
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
            let name = String(rest[rest.index(after: open)..<close])
            guard let v = values[name] else { throw Failure.missingValue(name: name, source: source) }
            out += rest[..<open]
            out += v
            rest = rest[rest.index(after: close)...]
        }
        return out + rest
    }
}

/// File-level problems of the Multimodal layer.
public enum MultimodalError: Error, CustomStringConvertible, Equatable {
    case unreadable(path: String, what: String)
    case invalidUTF8(path: String)

    public var description: String {
        switch self {
        case .unreadable(let p, let w): return "\(p): cannot read \(w)"
        case .invalidUTF8(let p): return "\(p): not valid UTF-8"
        }
    }
}
