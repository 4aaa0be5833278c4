// JSON coding for ImageID (declared in ImageSet.swift), so COCO and VQA files decode with
// Codable: an id is a JSON integer (COCO, VQAv2) or a string (our own sets), and writes back
// as the same kind.

extension ImageID: Codable {
    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(Int.self) {
            self = .number(number)
        } else if let name = try? container.decode(String.self) {
            self = .name(name)
        } else {
            throw DecodingError.typeMismatch(
                ImageID.self, .init(codingPath: decoder.codingPath, debugDescription: "expected an integer or string id"))
        }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .number(let number): try container.encode(number)
        case .name(let name): try container.encode(name)
        }
    }
}

extension ImageID: ExpressibleByIntegerLiteral, ExpressibleByStringLiteral {
    /// `42` as an id.
    public init(integerLiteral value: Int) { self = .number(value) }
    /// `"img-7"` as an id.
    public init(stringLiteral value: String) { self = .name(value) }
}

/// A VQA question id: an integer in VQAv2, possibly a string in our own sets. Results files
/// key answers by it as caption files key captions by image.
public typealias QuestionID = ImageID
