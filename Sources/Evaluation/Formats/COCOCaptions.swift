// COCO caption files: the annotation file (captions_val2014.json) and the results file that
// pycocotools' COCO.loadRes reads. Extra keys (info, licenses, width, ...) are ignored.
import Foundation

/// A COCO captions annotation file: `{"images": [{"id", "file_name", ...}], "annotations": [{"image_id", "caption", "id"}]}`.
public struct COCOCaptionAnnotations: Codable, Sendable {
    /// One entry of `images`.
    public struct Image: Codable, Sendable, Equatable {
        public var id: ImageID
        /// The image file, e.g. `COCO_val2014_000000391895.jpg`.
        public var fileName: String?

        public init(id: ImageID, fileName: String? = nil) {
            self.id = id
            self.fileName = fileName
        }

        enum CodingKeys: String, CodingKey {
            case id
            case fileName = "file_name"
        }
    }

    /// One entry of `annotations`: a human caption of an image.
    public struct Annotation: Codable, Sendable, Equatable {
        public var imageID: ImageID
        /// The caption as the annotator wrote it (untokenized).
        public var caption: String
        /// The annotation's own id, an integer in COCO (our sets may use a string or omit it).
        public var id: ImageID?

        public init(imageID: ImageID, caption: String, id: ImageID? = nil) {
            self.imageID = imageID
            self.caption = caption
            self.id = id
        }

        enum CodingKeys: String, CodingKey {
            case imageID = "image_id"
            case caption
            case id
        }
    }

    /// Images in file order; this order is the order pycocoevalcap evaluates in. May be empty
    /// for our own sets, in which case images are ordered by their first annotation.
    public var images: [Image]
    /// Captions in file order; an image usually has five.
    public var annotations: [Annotation]

    public init(images: [Image], annotations: [Annotation]) {
        self.images = images
        self.annotations = annotations
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        images = try container.decodeIfPresent([Image].self, forKey: .images) ?? []
        annotations = try container.decode([Annotation].self, forKey: .annotations)
    }

    enum CodingKeys: String, CodingKey {
        case images, annotations
    }

    /// Reads an annotation file; errors name the file and the line:column or JSON path at fault.
    public static func load(from url: URL) throws(EvaluationError) -> COCOCaptionAnnotations {
        try JSONFile.decode(COCOCaptionAnnotations.self, from: url)
    }

    /// The reference captions per image, in the order the reference evaluation visits images.
    public var references: CaptionReferences {
        CaptionReferences(imageOrder: images.map(\.id), captions: annotations.map { ($0.imageID, $0.caption) })
    }
}

/// One line of a COCO captioning results file: `{"image_id": 42, "caption": "a dog"}`.
public struct COCOCaptionResult: Codable, Sendable, Equatable {
    public var imageID: ImageID
    /// The generated caption, untokenized.
    public var caption: String

    public init(imageID: ImageID, caption: String) {
        self.imageID = imageID
        self.caption = caption
    }

    enum CodingKeys: String, CodingKey {
        case imageID = "image_id"
        case caption
    }

    /// Reads a results file (a JSON array) into one caption per image; an image listed twice is
    /// an error, since pycocoevalcap would reject it too.
    public static func load(from url: URL) throws(EvaluationError) -> [ImageID: String] {
        try ResultsFile.load(COCOCaptionResult.self, from: url) { ($0.imageID, $0.caption) }
    }

    /// Writes results as a JSON array sorted by image id, the form `load` and pycocotools read.
    public static func write(_ captions: [ImageID: String], to url: URL) throws {
        try ResultsFile.write(captions, to: url, as: COCOCaptionResult.init)
    }
}
