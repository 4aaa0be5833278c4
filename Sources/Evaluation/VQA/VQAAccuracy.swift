// VQA accuracy as the official evaluation computes it (VQAEval.evaluate in vqaEval.py): for each
// of the ten leave-one-out subsets of the human answers, min(#humans agreeing / 3, 1), averaged.

/// VQA accuracy, unrounded, as fractions in [0, 1] (the official code prints 100x, 2 decimals).
public struct VQAScores: Sendable, Equatable {
    /// Mean accuracy over the evaluated questions.
    public let overall: Double
    /// Accuracy of each evaluated question.
    public let perQuestion: [QuestionID: Double]
    /// Mean accuracy per answer type ("yes/no", "number", "other"); questions without one are left out.
    public let perAnswerType: [String: Double]
    /// Mean accuracy per question type ("how many", "what color is the", ...).
    public let perQuestionType: [String: Double]
    /// The evaluated questions, in annotation-file order.
    public let questionIDs: [QuestionID]
}

/// Scores predicted answers against VQAv2 annotations exactly as the official code does.
///
/// Every prediction must have an annotation. Questions are visited in annotation order (the
/// order the reference sums in), and only questions with a prediction are scored; the official
/// script also insists that every annotated question has one, which callers can check.
/// - Parameters:
///   - predictions: the model's raw answer per question; normalized here.
///   - annotations: the annotation file's entries.
public func vqaAccuracy(predictions: [QuestionID: String], annotations: [VQAAnnotations.Annotation]) throws(EvaluationError) -> VQAScores {
    let annotated = Set(annotations.map(\.questionID))
    let missing = predictions.keys.filter { !annotated.contains($0) }.sorted()
    guard missing.isEmpty else { throw .missingAnnotations(questionIDs: missing.map(\.description)) }
    guard !predictions.isEmpty else { throw .noCandidates }

    var perQuestion: [QuestionID: Double] = [:]
    var order: [QuestionID] = []
    var byAnswerType: [String: [Double]] = [:]
    var byQuestionType: [String: [Double]] = [:]
    var all: [Double] = []
    for annotation in annotations {
        guard let prediction = predictions[annotation.questionID], perQuestion[annotation.questionID] == nil else { continue }
        guard !annotation.answers.isEmpty else { throw .noHumanAnswers(questionID: annotation.questionID.description) }
        let accuracy = vqaAccuracy(prediction: prediction, humanAnswers: annotation.answers)
        perQuestion[annotation.questionID] = accuracy
        order.append(annotation.questionID)
        all.append(accuracy)
        if let type = annotation.answerType { byAnswerType[type, default: []].append(accuracy) }
        if let type = annotation.questionType { byQuestionType[type, default: []].append(accuracy) }
    }
    return VQAScores(
        overall: pythonMean(all),
        perQuestion: perQuestion,
        perAnswerType: byAnswerType.mapValues(pythonMean),
        perQuestionType: byQuestionType.mapValues(pythonMean),
        questionIDs: order)
}

/// The accuracy of one predicted answer against one question's human answers.
///
/// The prediction gets ``VQANormalization/normalizePrediction(_:)``. The human answers are used as
/// written unless they disagree, in which case only ``VQANormalization/processPunctuation(_:)`` is
/// applied to them (not the digit and article step), exactly as the official code does.
public func vqaAccuracy(prediction: String, humanAnswers: [VQAAnnotations.Answer]) -> Double {
    let predicted = VQANormalization.normalizePrediction(prediction)
    var answers = humanAnswers
    if Set(answers.map { Array($0.answer.utf8) }).count > 1 {
        answers = answers.map { answer in
            var processed = answer
            processed.answer = VQANormalization.processPunctuation(answer.answer)
            return processed
        }
    }
    var perSubset: [Double] = []
    for left in answers {
        // The official code drops every answer equal to this one (normally just itself).
        let agreeing = answers.filter { $0 != left && $0.answer.utf8.elementsEqual(predicted.utf8) }.count
        perSubset.append(min(1, Double(agreeing) / 3))
    }
    return pythonMean(perSubset)
}

/// `float(sum(xs)) / len(xs)`: a left-to-right sum, as Python's `sum` does.
private func pythonMean(_ values: [Double]) -> Double {
    var total = 0.0
    for value in values { total += value }
    return total / Double(values.count)
}
