// Prompt templates (the `---` split, placeholder scan, one-marker rule, rendering) and the split of a
// prompt into text and image chunks. Input: template text, then the caption, question and answer
// values, separated by NUL bytes.
import FuzzSupport
import Multimodal

/// The rendering the template promises (prompts/README.md): each `{name}` found by one left-to-right
/// scan is replaced by its value once; text inside the values is never scanned again. nil when a value
/// is missing.
func expectedFill(_ text: String, _ values: [String: String]) -> String? {
    var out = ""
    var rest = Substring(text)
    while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
        guard let value = values[String(rest[rest.index(after: open)..<close])] else { return nil }
        out += rest[..<open]
        out += value
        rest = rest[rest.index(after: close)...]
    }
    return out + rest
}

/// Splits `text` into chunks and checks them against the markers in the text.
func checkChunks(_ text: String, imageCount: Int) {
    let markers = text.components(separatedBy: MultimodalPrompt.marker).count - 1
    let chunks: [PromptChunk]
    do {
        chunks = try MultimodalPrompt.chunks(text, imageCount: imageCount)
    } catch {
        describe(error)
        invariant(markers != 0 && markers != imageCount, "chunks refused \(imageCount) images for \(markers) markers")
        return
    }
    let images = chunks.compactMap { if case .image(let i) = $0 { i } else { nil } }
    invariant(images == Array(0..<imageCount), "image chunks \(images) for \(imageCount) images")
    // With markers, the chunks spell the text back; without, the text follows the images unchanged.
    let spelled = chunks.map { chunk -> String in
        switch chunk {
        case .text(let s): return s
        case .image: return markers == 0 ? "" : MultimodalPrompt.marker
        }
    }.joined()
    invariant(spelled == text, "chunks do not spell the prompt back")
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPrompt(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let parts = fuzzInput(data, size).split(separator: 0, maxSplits: 3, omittingEmptySubsequences: false)
        .map { String(decoding: $0, as: UTF8.self) }
    let text = parts[0]
    var values: [String: String] = [:]
    for (name, i) in [("caption", 1), ("question", 2), ("answer", 3)] where i < parts.count { values[name] = parts[i] }

    checkChunks(text, imageCount: text.components(separatedBy: MultimodalPrompt.marker).count - 1)
    checkChunks(text, imageCount: 1)

    let template: PromptTemplate
    do { template = try PromptTemplate(text: text, source: "fuzz") } catch { describe(error); return 0 }
    let shots = template.shot == nil ? [] : [values, values]
    let rendered: String
    do {
        rendered = try template.render(shots: shots, query: values, source: "fuzz")
    } catch {
        describe(error)
        let missing = (template.shot.map { expectedFill($0, values) == nil } ?? false) || expectedFill(template.query, values) == nil
        invariant(missing, "render failed though every value was given: \(error)")
        return 0
    }
    let expected = (template.shot.flatMap { expectedFill($0, values) }.map { String(repeating: $0, count: shots.count) } ?? "")
        + (expectedFill(template.query, values) ?? "")
    invariant(rendered == expected, "rendered \(rendered.debugDescription), expected \(expected.debugDescription)")
    checkChunks(rendered, imageCount: shots.count + 1)
    return 0
}
