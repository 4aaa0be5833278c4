import Foundation
import GGUF
import Testing
import TestSupport

/// Table-driven bad input over every command that reads a model file: each broken file (wrong type,
/// each truncation class, absurd counts and lengths, wrong dimensions, missing keys, invalid UTF-8,
/// empty files, directories) in each place a model goes. Every run must exit with status 1 (not a
/// signal), print one line naming the file, write nothing, and stay small in memory.
@Suite(.serialized) struct BadInputMatrixTests {
    static let models = Fixtures.repoRoot.appendingPathComponent("models")
    static let lm = models.appendingPathComponent("glimpse-shapes-q8_0.gguf").path
    static let mmproj = models.appendingPathComponent("glimpse-shapes-mmproj-f16.gguf").path
    static let image = models.appendingPathComponent("val/images/val_000001.jpg").path

    enum Slot: String, CaseIterable {
        case generateModel, scoreModel, rankModel, captionModel, captionProjector, generateProjector, captionSetModel,
             vqaProjector, embedProjector, benchModel, inspect, quantizeInput

        var wantsProjector: Bool { [.captionProjector, .generateProjector, .vqaProjector, .embedProjector].contains(self) }

        /// The command line with `file` in this slot, writing (if at all) under `out`.
        func arguments(_ file: String, out: URL) -> [String] {
            let o = out.appendingPathComponent("result").path
            let val = BadInputMatrixTests.models.appendingPathComponent("val")
            let lm = BadInputMatrixTests.lm, mm = BadInputMatrixTests.mmproj, img = BadInputMatrixTests.image
            switch self {
            case .generateModel: return ["generate", "-m", file, "-p", "hi", "-n", "2"]
            case .scoreModel: return ["score", "-m", file, "-p", "A picture of", "--continuation", " a red circle"]
            case .rankModel: return ["rank", "-m", file, "-p", "A picture of", "--candidates", val.appendingPathComponent("../README.md").path]
            case .captionModel: return ["caption", "-m", file, "--mmproj", mm, img]
            case .captionProjector: return ["caption", "-m", lm, "--mmproj", file, img]
            case .generateProjector: return ["generate", "-m", lm, "--mmproj", file, "--image", img, "-p", "<image>A picture of", "-n", "2"]
            case .captionSetModel: return ["caption-set", "-m", file, "--mmproj", mm, "--images", val.appendingPathComponent("images").path,
                                           "--limit", "2", "--out", o + ".json"]
            case .vqaProjector: return ["vqa", "-m", lm, "--mmproj", file, "--images", val.appendingPathComponent("images").path,
                                        "--questions", val.appendingPathComponent("questions.json").path, "--limit", "2", "--out", o + ".json"]
            case .embedProjector: return ["embed-image", "--mmproj", file, "--image", img, "--out", o + ".npy"]
            case .benchModel: return ["bench", "-m", file, "--reps", "1", "--gen", "1", "--image-tokens", "4", "--text-tokens", "2"]
            case .inspect: return ["inspect", file]
            case .quantizeInput: return ["quantize", file, o + ".gguf", "--type", "q4_0"]
            }
        }
    }

    enum BadFile: String, CaseIterable {
        case empty, directory, jpeg, json, truncatedMagic, truncatedHeader, truncatedMetadata, truncatedTensorTable,
             truncatedTensorData, version99, tensorCount2to62, keyCount2to40, keyLengthPastEOF, arrayLength2to40,
             tensor2to62Elements, wrongDimensions, missingKey, invalidUTF8Value
    }

    /// Byte offsets of a valid file's regions: metadata starts at 24, then the tensor table, then data.
    struct Layout {
        let bytes: [UInt8]
        let tableStart: Int
        let dataStart: Int
    }

    static func layout(_ path: String) throws -> Layout {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let g = try GGUFFile(path: path)
        let first = try #require(g.tensorInfos.first).name
        var needle: [UInt8] = []
        withUnsafeBytes(of: UInt64(first.utf8.count).littleEndian) { needle += $0 }
        needle += Array(first.utf8)
        let dataStart = try #require(g.tensorInfos.map(\.offset).min())
        let tableStart = try #require((24..<dataStart).first { i in Array(bytes[i..<min(i + needle.count, bytes.count)]) == needle })
        return Layout(bytes: bytes, tableStart: tableStart, dataStart: dataStart)
    }

    static func patched(_ bytes: [UInt8], at offset: Int, u64 value: UInt64) -> [UInt8] {
        var b = bytes
        withUnsafeBytes(of: value.littleEndian) { for (i, v) in $0.enumerated() { b[offset + i] = v } }
        return b
    }

    /// A copy of `source` through GGUFWriter with its metadata changed by `edit`.
    static func rewritten(_ source: String, to path: String, edit: (inout [(key: String, value: GGUFValue)]) -> Void) throws {
        let src = try GGUFFile(path: source)
        var metadata = src.metadata
        edit(&metadata)
        let w = GGUFWriter(path: path)
        for (k, v) in metadata { w.set(k, v) }
        for info in src.tensorInfos {
            let t = try src.tensor(info.name)
            try w.add(.init(name: info.name, type: info.type, shape: info.shape) { out in
                try out.write(UnsafeRawBufferPointer(start: t.data, count: t.byteCount))
            })
        }
        try w.write()
    }

    /// Writes the bad file of `kind` made from the valid `source` at `path`.
    static func make(_ kind: BadFile, from source: String, at path: String) throws {
        let l = try layout(source)
        let write = { (b: [UInt8]) in try Data(b).write(to: URL(fileURLWithPath: path)) }
        switch kind {
        case .empty: try write([])
        case .directory: try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        case .jpeg: try write([UInt8](try Data(contentsOf: URL(fileURLWithPath: image))))
        case .json: try write(Array("{\"general.architecture\": \"gptj\"}\n".utf8))
        case .truncatedMagic: try write(Array(l.bytes.prefix(3)))
        case .truncatedHeader: try write(Array(l.bytes.prefix(17)))
        case .truncatedMetadata: try write(Array(l.bytes.prefix((24 + l.tableStart) / 2)))
        case .truncatedTensorTable: try write(Array(l.bytes.prefix((l.tableStart + l.dataStart) / 2)))
        case .truncatedTensorData: try write(Array(l.bytes.prefix(l.bytes.count - 100)))
        case .version99: try write([UInt8](l.bytes[0..<4]) + [99, 0, 0, 0] + l.bytes[8...])
        case .tensorCount2to62: try write(patched(l.bytes, at: 8, u64: 1 << 62))
        case .keyCount2to40: try write(patched(l.bytes, at: 16, u64: 1 << 40))
        case .keyLengthPastEOF: try write(patched(l.bytes, at: 24, u64: 1 << 60))
        case .arrayLength2to40:
            var g = RawGGUF()
            g.u32(GGUFFile.magic); g.u32(3); g.u64(0); g.u64(1)
            g.string("general.architecture"); g.u32(9); g.u32(8); g.u64(1 << 40)  // array of 2^40 strings
            g.bytes += Array("gptj".utf8)
            try write(g.bytes)
        case .tensor2to62Elements:
            var g = RawGGUF()
            g.u32(GGUFFile.magic); g.u32(3); g.u64(1); g.u64(0)
            g.string("token_embd.weight"); g.u32(2); g.u64(UInt64(Int32.max)); g.u64(UInt64(Int32.max)); g.u32(0); g.u64(0)
            g.bytes += [UInt8](repeating: 0, count: 64)
            try write(g.bytes)
        case .wrongDimensions:
            try rewritten(source, to: path) { m in
                for i in m.indices where m[i].key.hasSuffix(".embedding_length") { m[i].value = .uint32(48) }
            }
        case .missingKey:
            try rewritten(source, to: path) { m in m.removeAll { $0.key.hasSuffix(".embedding_length") } }
        case .invalidUTF8Value:
            // The architecture value's bytes replaced by bytes that are not UTF-8, same length.
            let arch = Array("general.architecture".utf8)
            var b = l.bytes
            if let at = (24..<l.tableStart).first(where: { Array(b[$0..<$0 + arch.count]) == arch }) {
                let value = at + arch.count + 4 + 8  // type u32, then the string's u64 length
                for i in 0..<4 { b[value + i] = 0xFF - UInt8(i) }
            }
            try write(b)
        }
    }

    @Test(arguments: BadFile.allCases)
    func everyCommandFailsCleanly(kind: BadFile) throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        for slot in Slot.allCases {
            let bad = dir.appendingPathComponent("\(slot.rawValue)-\(kind.rawValue).gguf").path
            try Self.make(kind, from: slot.wantsProjector ? Self.mmproj : Self.lm, at: bad)
            let out = dir.appendingPathComponent("out-\(slot.rawValue)")
            try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
            let r = try CLI.run(slot.arguments(bad, out: out))
            let what = "\(slot.rawValue) with \(kind.rawValue)"
            if slot == .inspect, [.wrongDimensions, .missingKey].contains(kind) {
                // inspect shows what a well-formed GGUF holds, whatever its metadata claim.
                #expect(r.status == 0 && r.stdout.contains("tensors"), "\(what): \(r.stderr)")
                continue
            }
            #expect(r.status == 1, "\(what): exit status \(r.status), stderr: \(r.stderr)")
            #expect(r.stderr.split(separator: "\n").count == 1 && r.stderr.hasPrefix("glimpse: error: "), "\(what): \(r.stderr)")
            #expect(r.stderr.contains(bad), "\(what): the message does not name the file: \(r.stderr)")
            #expect(try FileManager.default.contentsOfDirectory(atPath: out.path).isEmpty, "\(what): left output behind")
        }
        // No allocation followed an absurd length (2^40 and up): the largest child stayed small (the bound
        // leaves room for AddressSanitizer's shadow memory).
        var usage = rusage()
        getrusage(RUSAGE_CHILDREN.rawValue, &usage)
        #expect(usage.ru_maxrss < 1536 * 1024, "a child reached \(usage.ru_maxrss / 1024) MB")
    }

    /// Output paths that cannot be written: a folder that does not exist, a path through a file, an
    /// existing folder. The command fails naming the path and leaves no temporary file.
    @Test(arguments: ["missing-folder/out.json", "a-file/out.json", "a-folder"])
    func unwritableOutputPaths(relative: String) throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data("x".utf8).write(to: dir.appendingPathComponent("a-file"))
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("a-folder"), withIntermediateDirectories: true)
        let out = dir.appendingPathComponent(relative).path
        let val = Self.models.appendingPathComponent("val")
        for args in [["caption-set", "--images", val.appendingPathComponent("images").path, "--limit", "1", "--out", out],
                     ["quantize", Self.lm, out, "--type", "q4_0"],
                     ["embed-image", "--image", Self.image, "--out", out],
                     ["convert", "lm", "--from", Fixtures.path("gptj/tiny/hf-safetensors"), "--out", out, "--type", "f32"]] {
            let before = Set(try FileManager.default.contentsOfDirectory(atPath: dir.path))
            let r = try CLI.run(args)
            #expect(r.status == 1, "\(args[0]) \(relative): exit \(r.status) \(r.stderr)")
            #expect(r.stderr.split(separator: "\n").count == 1 && r.stderr.contains(relative), "\(args[0]) \(relative): \(r.stderr)")
            #expect(Set(try FileManager.default.contentsOfDirectory(atPath: dir.path)) == before, "\(args[0]) \(relative) left files")
        }
    }

    /// Data files in every place one goes: JSON (questions, annotations, shots, candidates), images and
    /// prompt files, each empty, a folder, cut in half, not UTF-8, of the wrong kind, or nested absurdly deep.
    enum DataSlot: String, CaseIterable {
        case vqaQuestions, vqaAnnotations, captionSetAnnotations, captionShots, rankCandidates, captionImage,
             generateImage, embedImage, promptFile

        var source: String {
            let val = BadInputMatrixTests.models.appendingPathComponent("val")
            switch self {
            case .vqaQuestions: return val.appendingPathComponent("questions.json").path
            case .vqaAnnotations: return val.appendingPathComponent("annotations.json").path
            case .captionSetAnnotations: return val.appendingPathComponent("captions.json").path
            case .captionShots, .rankCandidates: return val.appendingPathComponent("fastbinding.json").path
            case .captionImage, .generateImage, .embedImage: return BadInputMatrixTests.image
            case .promptFile: return BadInputMatrixTests.models.appendingPathComponent("README.md").path
            }
        }

        func arguments(_ file: String, out: URL) -> [String] {
            let val = BadInputMatrixTests.models.appendingPathComponent("val")
            let images = val.appendingPathComponent("images").path, o = out.appendingPathComponent("result.json").path
            switch self {
            case .vqaQuestions: return ["vqa", "--images", images, "--questions", file, "--limit", "2", "--out", o]
            case .vqaAnnotations: return ["vqa", "--images", images, "--questions", val.appendingPathComponent("questions.json").path,
                                          "--annotations", file, "--limit", "2", "--out", o]
            case .captionSetAnnotations: return ["caption-set", "--images", images, "--annotations", file, "--limit", "2", "--out", o]
            case .captionShots: return ["caption", "--shots", file, BadInputMatrixTests.image]
            case .rankCandidates: return ["rank", "-p", "A picture of", "--candidates", file]
            case .captionImage: return ["caption", file]
            case .generateImage: return ["generate", "--image", file, "-p", "<image>A picture of", "-n", "2"]
            case .embedImage: return ["embed-image", "--image", file, "--out", out.appendingPathComponent("x.npy").path]
            case .promptFile: return ["generate", "-f", file, "-n", "2"]
            }
        }
    }

    enum BadData: String, CaseIterable { case empty, directory, halved, invalidUTF8, wrongKind, deepNesting }

    static func make(_ kind: BadData, from source: String, at path: String) throws {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: source)))
        let write = { (b: [UInt8]) in try Data(b).write(to: URL(fileURLWithPath: path)) }
        switch kind {
        case .empty: try write([])
        case .directory: try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        case .halved: try write(Array(bytes.prefix(bytes.count / 2)))
        case .invalidUTF8: try write(Array(bytes.prefix(40)) + [0xFF, 0xFE, 0xC0, 0x80] + Array(bytes.dropFirst(44)))
        case .wrongKind: try write(Array([UInt8](try Data(contentsOf: URL(fileURLWithPath: lm))).prefix(4096)))
        case .deepNesting: try write([UInt8](repeating: UInt8(ascii: "["), count: 200_000))
        }
    }

    @Test(arguments: DataSlot.allCases)
    func everyDataFileFailsCleanly(slot: DataSlot) throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        for kind in BadData.allCases {
            // A prompt file is plain text: half of one or a '[' run is a valid prompt (too long, here).
            if slot == .promptFile, kind == .halved { continue }
            // JPEG bytes changed in place still decode, with libjpeg's warnings, as in PIL.
            let isImage = [.captionImage, .generateImage, .embedImage].contains(slot)
            if isImage, kind == .invalidUTF8 { continue }
            let ext = (slot.source as NSString).pathExtension
            let bad = dir.appendingPathComponent("\(slot.rawValue)-\(kind.rawValue).\(ext)").path
            try Self.make(kind, from: slot.source, at: bad)
            let out = dir.appendingPathComponent("out-\(slot.rawValue)-\(kind.rawValue)")
            try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
            let r = try CLI.run(slot.arguments(bad, out: out))
            let what = "\(slot.rawValue) with \(kind.rawValue)"
            #expect(r.status == 1, "\(what): exit status \(r.status), stderr: \(r.stderr)")
            // caption reports each bad image on a line of its own, then a summary line.
            let lines = r.stderr.split(separator: "\n")
            #expect(lines.count == (slot == .captionImage ? 2 : 1) && r.stderr.hasPrefix("glimpse: error: "), "\(what): \(r.stderr)")
            #expect(lines.first?.contains(bad) == true, "\(what): the message does not name the file: \(r.stderr)")
            #expect(try FileManager.default.contentsOfDirectory(atPath: out.path).isEmpty, "\(what): left output behind")
        }
    }
}
