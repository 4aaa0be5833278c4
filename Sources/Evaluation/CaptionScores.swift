// The COCOEvalCap flow (pycocoevalcap/eval.py) without METEOR and SPICE: tokenize references and
// candidates with the PTB tokenizer, then BLEU-1..4, ROUGE-L and CIDEr-D on the tokens.
//
// METEOR is left out on purpose: it is a Java program with WordNet and paraphrase tables whose
// scores cannot be matched faithfully without running it. SPICE needs a scene-graph parser.

/// Reference captions per image, with the image order the reference evaluation uses.
public struct CaptionReferences: Sendable, Equatable {
    /// Images in evaluation order: the annotation file's `images` order, then any other image
    /// in order of its first caption.
    public let imageIDs: [ImageID]
    /// The human captions of each image, in file order.
    public let captions: [ImageID: [String]]

    /// - Parameters:
    ///   - imageOrder: the preferred order (COCO's `images` list); may be empty.
    ///   - captions: `(image, caption)` pairs in file order.
    public init(imageOrder: [ImageID] = [], captions: [(ImageID, String)]) {
        var byImage: [ImageID: [String]] = [:]
        var order: [ImageID] = []
        var seen = Set<ImageID>()
        for id in imageOrder where seen.insert(id).inserted { order.append(id) }
        for (id, caption) in captions {
            byImage[id, default: []].append(caption)
            if seen.insert(id).inserted { order.append(id) }
        }
        imageIDs = order
        self.captions = byImage
    }

    /// References from a dictionary; images are evaluated in ascending id order.
    public init(_ captions: [ImageID: [String]]) {
        imageIDs = captions.keys.sorted()
        self.captions = captions
    }

    /// The captions of one image, or nil if it has none.
    public subscript(id: ImageID) -> [String]? { captions[id] }
}

/// The scores pycocoevalcap reports, computed the same way (to ~1e-15 in tests).
public struct CaptionScores: Sendable, Equatable {
    /// Scores of one image.
    public struct Image: Sendable, Equatable {
        /// BLEU-1...4 of this image alone, with the reference's per-sentence smoothing.
        public let bleu: [Double]
        /// ROUGE-L F of this image, in [0, 1].
        public let rougeL: Double
        /// CIDEr-D of this image (0 to 10).
        public let ciderD: Double
    }

    /// Corpus BLEU-1...BLEU-4 (index 0 is BLEU-1), in [0, 1].
    public let bleu: [Double]
    /// Mean ROUGE-L over images, in [0, 1].
    public let rougeL: Double
    /// Mean CIDEr-D over images (pycocoevalcap's "CIDEr").
    public let ciderD: Double
    /// Per-image scores.
    public let perImage: [ImageID: Image]
    /// The images scored, in evaluation order.
    public let imageIDs: [ImageID]

    /// Corpus BLEU-1 (pycocoevalcap's "Bleu_1").
    public var bleu1: Double { bleu[0] }
    /// Corpus BLEU-2.
    public var bleu2: Double { bleu[1] }
    /// Corpus BLEU-3.
    public var bleu3: Double { bleu[2] }
    /// Corpus BLEU-4, the one usually reported.
    public var bleu4: Double { bleu[3] }
}

/// Scores candidate captions against references as pycocoevalcap's COCOEvalCap does.
///
/// The images scored are those with a candidate, in the references' order (the order the
/// reference sums in). References of other images are ignored, including for CIDEr-D's document
/// frequencies, as in COCOEvalCap with `params['image_id'] = cocoRes.getImgIds()`.
/// - Throws: ``EvaluationError/missingReferences(imageIDs:)`` if a candidate's image has no
///   references, ``EvaluationError/noReferenceCaptions(imageID:)`` for an empty reference list,
///   ``EvaluationError/noCandidates`` when there is nothing to score.
public func captionScores(candidates: [ImageID: String], references: CaptionReferences) throws(EvaluationError) -> CaptionScores {
    let missing = candidates.keys.filter { references[$0] == nil }.sorted()
    guard missing.isEmpty else { throw .missingReferences(imageIDs: missing.map(\.description)) }
    let imageIDs = references.imageIDs.filter { candidates[$0] != nil }
    guard !imageIDs.isEmpty else { throw .noCandidates }
    for id in imageIDs where references[id]?.isEmpty ?? true {
        throw .noReferenceCaptions(imageID: id.description)
    }

    // Like the reference, all references go through one tokenizer run and all candidates
    // through another, each as one newline-joined stream in evaluation order.
    let tokenizer = CaptionTokenizer()
    let referenceCounts = imageIDs.map { references[$0]?.count ?? 0 }
    let flatReferences = tokenizer.tokenize(imageIDs.flatMap { references[$0] ?? [] })
    var tokenizedReferences: [[String]] = []
    var start = 0
    for count in referenceCounts {
        tokenizedReferences.append(Array(flatReferences[start..<start + count]))
        start += count
    }
    let tokenizedCandidates = tokenizer.tokenize(imageIDs.map { candidates[$0] ?? "" })
    return captionScores(tokenizedCandidates: tokenizedCandidates, tokenizedReferences: tokenizedReferences, imageIDs: imageIDs)
}

/// Scores already-tokenized captions (tokens separated by single spaces), skipping the tokenizer.
/// `tokenizedCandidates[i]` and `tokenizedReferences[i]` belong to `imageIDs[i]`.
public func captionScores(tokenizedCandidates: [String], tokenizedReferences: [[String]], imageIDs: [ImageID]) -> CaptionScores {
    let bleu = BLEU.score(candidates: tokenizedCandidates, references: tokenizedReferences)
    let rouge = ROUGEL.score(candidates: tokenizedCandidates, references: tokenizedReferences)
    let cider = CIDErD.score(candidates: tokenizedCandidates, references: tokenizedReferences)
    var perImage: [ImageID: CaptionScores.Image] = [:]
    for (index, id) in imageIDs.enumerated() where index < tokenizedCandidates.count {
        perImage[id] = CaptionScores.Image(bleu: bleu.perImage[index], rougeL: rouge.perImage[index], ciderD: cider.perImage[index])
    }
    return CaptionScores(bleu: bleu.corpus, rougeL: rouge.mean, ciderD: cider.mean, perImage: perImage, imageIDs: imageIDs)
}
