// Reads JSON files with errors a user can act on: syntax errors carry line and column, shape
// errors the path inside the document (`annotations[3].caption`).
import Foundation

public enum JSONFile {
    /// The file's JSON value (dictionaries, arrays, strings, numbers), for loosely shaped inputs such as
    /// `--shots` lists and shard outputs; syntax errors carry the line and column.
    public static func object(atPath path: String) throws(EvaluationError) -> Any {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw .unreadableFile(path: path, reason: (error as NSError).localizedDescription)
        }
        do {
            return try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        } catch {
            throw syntaxError(error, data: data, path: path)
        }
    }

    static func syntaxError(_ error: Error, data: Data, path: String) -> EvaluationError {
        let info = (error as NSError).userInfo
        let detail = info[NSDebugDescriptionErrorKey] as? String ?? "\(error)"
        // Linux Foundation says "around character N"; Apple's also sets an index key.
        let (line, column) = (info["NSJSONSerializationErrorIndex"] as? Int).map { location(ofByte: $0, in: data) }
            ?? location(ofOffsetIn: detail, data: data)
        return .malformedJSON(path: path, line: line, column: column, detail: detail)
    }

    /// Decodes `T` from the file at `url`.
    static func decode<T: Decodable>(_ type: T.Type, from url: URL) throws(EvaluationError) -> T {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw .unreadableFile(path: url.path, reason: (error as NSError).localizedDescription)
        }
        return try decode(type, from: data, path: url.path)
    }

    /// Decodes `T` from `data`; `path` names the source in errors.
    static func decode<T: Decodable>(_ type: T.Type, from data: Data, path: String) throws(EvaluationError) -> T {
        // JSONSerialization first: its errors give the offset of the bad character.
        do {
            _ = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        } catch {
            throw syntaxError(error, data: data, path: path)
        }
        do {
            return try JSONDecoder().decode(type, from: data)
        } catch let error as DecodingError {
            let (codingPath, detail) = describe(error)
            throw .unexpectedJSON(path: path, location: render(codingPath), detail: detail)
        } catch {
            throw .unexpectedJSON(path: path, location: "", detail: "\(error)")
        }
    }

    /// Line and column (1-based, counting characters) a JSONSerialization message points at:
    /// "around line 4, column 36" as is, "around character 30" converted, else the end of the data.
    static func location(ofOffsetIn message: String, data: Data) -> (line: Int, column: Int) {
        if let line = number(after: "line ", in: message), let column = number(after: "column ", in: message) {
            return (line, column)
        }
        var offset = data.count
        if let range = message.range(of: "character ") {
            let digits = message[range.upperBound...].prefix { $0.isNumber }
            offset = min(Int(digits) ?? data.count, data.count)
        }
        return location(ofByte: offset, in: data)
    }

    private static func number(after label: String, in message: String) -> Int? {
        guard let range = message.range(of: label) else { return nil }
        return Int(message[range.upperBound...].prefix { $0.isNumber })
    }

    /// Line and column of a UTF-8 byte offset; columns count code points, not bytes.
    static func location(ofByte offset: Int, in data: Data) -> (line: Int, column: Int) {
        var line = 1, column = 1
        for byte in data.prefix(offset) {
            if byte == 0x0A {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {
                column += 1
            }
        }
        return (line, column)
    }

    private static func describe(_ error: DecodingError) -> ([CodingKey], String) {
        switch error {
        case .typeMismatch(let type, let context):
            return (context.codingPath, "expected \(readable(type))")
        case .valueNotFound(let type, let context):
            return (context.codingPath, "expected \(readable(type)), found null")
        case .keyNotFound(let key, let context):
            return (context.codingPath + [key], "missing key \"\(key.stringValue)\"")
        case .dataCorrupted(let context):
            return (context.codingPath, context.debugDescription)
        @unknown default:
            return ([], "\(error)")
        }
    }

    private static func readable(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: return "a string"
        case is Int.Type: return "an integer"
        case is Double.Type: return "a number"
        case is ImageID.Type: return "an integer or string id"
        default: return "\(type)"
        }
    }

    /// `[annotations, 3, caption]` as `annotations[3].caption`.
    static func render(_ path: [CodingKey]) -> String {
        var text = ""
        for key in path {
            if let index = key.intValue {
                text += "[\(index)]"
            } else {
                text += text.isEmpty ? key.stringValue : ".\(key.stringValue)"
            }
        }
        return text
    }
}
