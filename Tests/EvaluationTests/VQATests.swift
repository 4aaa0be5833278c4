@testable import Evaluation
import Testing

@Suite("VQA accuracy against the official vqaEval.py")
struct VQATests {
    @Test("normalization matches processPunctuation and processDigitArticle on every fixture string")
    func normalization() throws {
        let cases = try MetricFixtures.decode(VQANormalizationCases.self, "vqa_normalization.json").cases
        #expect(cases.count > 50)
        for example in cases {
            let punctuation = VQANormalization.processPunctuation(example.text)
            let prediction = VQANormalization.normalizePrediction(example.text)
            #expect(sameBytes(punctuation, example.punctuation), "processPunctuation(\(String(reflecting: example.text))) = \(String(reflecting: punctuation))")
            #expect(sameBytes(prediction, example.prediction), "prediction(\(String(reflecting: example.text))) = \(String(reflecting: prediction))")
        }
    }

    @Test("per-question accuracy is exactly the official value; overall within 1e-12")
    func accuracyFromFiles() throws {
        let annotations = try VQAAnnotations.load(from: MetricFixtures.url("vqa_annotations.json"))
        let questions = try VQAQuestions.load(from: MetricFixtures.url("vqa_questions.json"))
        let predictions = try VQAResult.load(from: MetricFixtures.url("vqa_results.json"))
        let reference = try MetricFixtures.decode(ReferenceVQAScores.self, "vqa_scores.json")
        #expect(questions.questions.count == annotations.annotations.count)

        let scores = try vqaAccuracy(predictions: predictions, annotations: annotations.annotations)
        #expect(scores.questionIDs == reference.per_question.map { QuestionID.number($0.question_id) })
        for question in reference.per_question {
            #expect(scores.perQuestion[.number(question.question_id)] == question.accuracy, "question \(question.question_id)")
        }
        var worst = abs(scores.overall - reference.overall)
        for (type, value) in reference.per_answer_type { worst = max(worst, abs((scores.perAnswerType[type] ?? -1) - value)) }
        for (type, value) in reference.per_question_type { worst = max(worst, abs((scores.perQuestionType[type] ?? -1) - value)) }
        print("VQA accuracy: max |Swift - official| = \(worst)")
        #expect(worst <= 1e-12)
    }

    @Test("leave-one-out: 3 agreeing humans give 0.9, 4 or more give 1")
    func leaveOneOut() {
        func answers(_ list: [String]) -> [VQAAnnotations.Answer] {
            list.enumerated().map { VQAAnnotations.Answer(answer: $1, answerConfidence: "yes", answerID: $0 + 1) }
        }
        let three = answers(["2", "2", "2"] + Array(repeating: "3", count: 7))
        #expect(abs(vqaAccuracy(prediction: "two", humanAnswers: three) - 0.9) < 1e-15)
        let four = answers(["2", "2", "2", "2"] + Array(repeating: "3", count: 6))
        #expect(vqaAccuracy(prediction: "2.", humanAnswers: four) == 1)
        #expect(vqaAccuracy(prediction: "4", humanAnswers: four) == 0)
    }

    @Test("human answers only get punctuation processing, and only when they disagree")
    func humanAnswerQuirk() {
        let answers = (1...10).map { VQAAnnotations.Answer(answer: $0 <= 5 ? "two" : "t-shirt", answerID: $0) }
        // The prediction "two" becomes "2", but the humans' "two" stays a word: no match.
        #expect(vqaAccuracy(prediction: "two", humanAnswers: answers) == 0)
        #expect(vqaAccuracy(prediction: "t shirt", humanAnswers: answers) == 1)
    }

    @Test("predictions without an annotation are an error")
    func missingAnnotation() {
        let annotation = VQAAnnotations.Annotation(questionID: 1, imageID: 1, answers: [.init(answer: "yes")])
        #expect(throws: EvaluationError.missingAnnotations(questionIDs: ["2"])) {
            try vqaAccuracy(predictions: [1: "yes", 2: "no"], annotations: [annotation])
        }
    }
}
