import Foundation

/// What COCO caption results and VQA results files share: a JSON array of {id, text} records, read into
/// one text per id (an id listed twice is an error) and written sorted by id, atomically.
enum ResultsFile {
    static func load<R: Decodable>(_ type: R.Type, from url: URL,
                                   _ entry: (R) -> (ImageID, String)) throws(EvaluationError) -> [ImageID: String] {
        var byID: [ImageID: String] = [:]
        for record in try JSONFile.decode([R].self, from: url) {
            let (id, text) = entry(record)
            guard byID.updateValue(text, forKey: id) == nil else { throw .duplicateID(path: url.path, id: id.description) }
        }
        return byID
    }

    static func write<R: Encodable>(_ texts: [ImageID: String], to url: URL, as make: (ImageID, String) -> R) throws {
        let records = texts.keys.sorted().map { make($0, texts[$0] ?? "") }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        try AtomicFile.write(try encoder.encode(records) + Data("\n".utf8), to: url.path)
    }
}
