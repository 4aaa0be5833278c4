/// Everything that can go wrong while reading evaluation files or scoring, with enough context
/// (file, JSON position, id) for the message to say what to fix.
public enum EvaluationError: Error, CustomStringConvertible, Equatable, Sendable {
    /// A file could not be read at all.
    case unreadableFile(path: String, reason: String)
    /// The file is not valid JSON; `line` and `column` (1-based) locate the first bad character.
    case malformedJSON(path: String, line: Int, column: Int, detail: String)
    /// The JSON is well formed but does not have the expected shape; `location` is a path like `annotations[3].caption`.
    case unexpectedJSON(path: String, location: String, detail: String)
    /// One id appears twice where each must be unique (a result file with two answers for a question).
    case duplicateID(path: String, id: String)
    /// Candidates were given for images that have no reference captions.
    case missingReferences(imageIDs: [String])
    /// An image has an empty list of reference captions.
    case noReferenceCaptions(imageID: String)
    /// Nothing to score.
    case noCandidates
    /// Predictions were given for questions that have no annotation.
    case missingAnnotations(questionIDs: [String])
    /// A question's annotation has no human answers.
    case noHumanAnswers(questionID: String)

    /// A human-readable explanation naming the file, position or id.
    public var description: String {
        switch self {
        case .unreadableFile(let path, let reason):
            return "cannot read \(path): \(reason)"
        case .malformedJSON(let path, let line, let column, let detail):
            return "\(path):\(line):\(column): malformed JSON: \(detail)"
        case .unexpectedJSON(let path, let location, let detail):
            return "\(path): at \(location.isEmpty ? "top level" : location): \(detail)"
        case .duplicateID(let path, let id):
            return "\(path): id \(id) appears more than once; each must be unique"
        case .missingReferences(let ids):
            return "no reference captions for image(s) \(Self.list(ids)); candidates must use the references' image ids"
        case .noReferenceCaptions(let id):
            return "image \(id) has no reference captions; every evaluated image needs at least one"
        case .noCandidates:
            return "there are no candidates to score"
        case .missingAnnotations(let ids):
            return "no annotation for question(s) \(Self.list(ids)); predictions must use the annotation file's question ids"
        case .noHumanAnswers(let id):
            return "question \(id) has no human answers in its annotation"
        }
    }

    private static func list(_ ids: [String]) -> String {
        ids.count <= 5 ? ids.joined(separator: ", ") : ids.prefix(5).joined(separator: ", ") + " and \(ids.count - 5) more"
    }
}
