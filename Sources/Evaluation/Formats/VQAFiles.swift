// VQAv2 files: questions (v2_OpenEnded_mscoco_val2014_questions.json), annotations
// (v2_mscoco_val2014_annotations.json) and results (`[{"question_id", "answer"}]`).
import Foundation

/// A VQAv2 questions file: `{"questions": [{"image_id", "question", "question_id"}]}`.
public struct VQAQuestions: Codable, Sendable {
    /// One question about one image.
    public struct Question: Codable, Sendable, Equatable {
        public var imageID: ImageID
        /// The question text, e.g. "What color is the bus?".
        public var question: String
        public var questionID: QuestionID

        public init(imageID: ImageID, question: String, questionID: QuestionID) {
            self.imageID = imageID
            self.question = question
            self.questionID = questionID
        }

        enum CodingKeys: String, CodingKey {
            case imageID = "image_id"
            case question
            case questionID = "question_id"
        }
    }

    /// Questions in file order.
    public var questions: [Question]

    public init(questions: [Question]) { self.questions = questions }

    /// Reads a questions file; errors name the file and the line:column or JSON path at fault.
    public static func load(from url: URL) throws(EvaluationError) -> VQAQuestions {
        try JSONFile.decode(VQAQuestions.self, from: url)
    }
}

/// A VQAv2 annotations file: each question's ten human answers and its types.
public struct VQAAnnotations: Codable, Sendable {
    /// One human answer. Equality compares all three fields, as the official code compares answer dicts.
    public struct Answer: Codable, Sendable, Equatable {
        /// The answer as the human typed it.
        public var answer: String
        /// "yes", "maybe" or "no" in VQAv2.
        public var answerConfidence: String?
        /// 1...10 within a question.
        public var answerID: Int?

        public init(answer: String, answerConfidence: String? = nil, answerID: Int? = nil) {
            self.answer = answer
            self.answerConfidence = answerConfidence
            self.answerID = answerID
        }

        /// Compares code points (Python's `==`), not canonical equivalence (Swift's).
        public static func == (lhs: Answer, rhs: Answer) -> Bool {
            lhs.answer.utf8.elementsEqual(rhs.answer.utf8) && lhs.answerID == rhs.answerID
                && lhs.answerConfidence.map { Array($0.utf8) } == rhs.answerConfidence.map { Array($0.utf8) }
        }

        enum CodingKeys: String, CodingKey {
            case answer
            case answerConfidence = "answer_confidence"
            case answerID = "answer_id"
        }
    }

    /// The human answers to one question.
    public struct Annotation: Codable, Sendable, Equatable {
        public var questionID: QuestionID
        public var imageID: ImageID
        /// Ten answers in VQAv2.
        public var answers: [Answer]
        /// The most common human answer.
        public var multipleChoiceAnswer: String?
        /// "yes/no", "number" or "other".
        public var answerType: String?
        /// The question's first words ("what color is the", "how many").
        public var questionType: String?

        public init(questionID: QuestionID, imageID: ImageID, answers: [Answer], multipleChoiceAnswer: String? = nil,
                    answerType: String? = nil, questionType: String? = nil) {
            self.questionID = questionID
            self.imageID = imageID
            self.answers = answers
            self.multipleChoiceAnswer = multipleChoiceAnswer
            self.answerType = answerType
            self.questionType = questionType
        }

        enum CodingKeys: String, CodingKey {
            case questionID = "question_id"
            case imageID = "image_id"
            case answers
            case multipleChoiceAnswer = "multiple_choice_answer"
            case answerType = "answer_type"
            case questionType = "question_type"
        }
    }

    /// Annotations in file order, which is the order the official code averages in.
    public var annotations: [Annotation]

    public init(annotations: [Annotation]) { self.annotations = annotations }

    /// Reads an annotations file; errors name the file and the line:column or JSON path at fault.
    public static func load(from url: URL) throws(EvaluationError) -> VQAAnnotations {
        try JSONFile.decode(VQAAnnotations.self, from: url)
    }
}

/// One line of a VQA results file: `{"question_id": 1, "answer": "yes"}`.
public struct VQAResult: Codable, Sendable, Equatable {
    public var questionID: QuestionID
    /// The predicted answer, unnormalized.
    public var answer: String

    public init(questionID: QuestionID, answer: String) {
        self.questionID = questionID
        self.answer = answer
    }

    enum CodingKeys: String, CodingKey {
        case questionID = "question_id"
        case answer
    }

    /// Reads a results file into one answer per question; a question answered twice is an error.
    public static func load(from url: URL) throws(EvaluationError) -> [QuestionID: String] {
        try ResultsFile.load(VQAResult.self, from: url) { ($0.questionID, $0.answer) }
    }

    /// Writes results as a JSON array sorted by question id.
    public static func write(_ answers: [QuestionID: String], to url: URL) throws {
        try ResultsFile.write(answers, to: url, as: VQAResult.init)
    }
}
