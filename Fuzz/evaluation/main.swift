// COCO caption and VQAv2 files (annotations, questions, results) and the loose JSON reader, as the
// caption-set / vqa commands load them: every loader sees every input.
import Evaluation
import Foundation
import FuzzSupport

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzEvaluation(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    withTemporaryFile(fuzzInput(data, size), suffix: ".json") { path in
        let url = URL(fileURLWithPath: path)
        do { _ = try JSONFile.object(atPath: path) } catch { describe(error) }
        do {
            let annotations = try COCOCaptionAnnotations.load(from: url)
            let references = annotations.references
            invariant(references.imageIDs.count == Set(references.imageIDs).count, "duplicate image in evaluation order")
            for id in references.imageIDs { _ = references[id] }
        } catch { describe(error) }
        do { _ = try COCOCaptionResult.load(from: url) } catch { describe(error) }
        do { _ = try VQAQuestions.load(from: url) } catch { describe(error) }
        do { _ = try VQAAnnotations.load(from: url) } catch { describe(error) }
        do { _ = try VQAResult.load(from: url) } catch { describe(error) }
    }
    return 0
}
