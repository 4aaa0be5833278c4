import Foundation
import Vision

/// Tests/Fixtures/images/index.json, written by tools/reference/make_image_fixtures.py from
/// Pillow 13 + torchvision (see the script for what each file is).
struct ImageFixtureIndex: Decodable, Sendable {
    struct Reference: Decodable, Sendable {
        let size: Int
        let file: String
    }

    struct Image: Decodable, Sendable, CustomStringConvertible {
        let file: String
        let width: Int
        let height: Int
        /// Pillow's `convert("RGB")` pixels as an 8-bit RGB PNG.
        let decoded: String
        /// The same pixels raw (small images only), independent of the PNG decoder.
        let decodedRaw: String?
        /// Resize + CenterCrop output per size, as 8-bit RGB PNG.
        let crops: [Reference]
        /// Final (3, n, n) float32 tensors, little-endian.
        let tensors: [Reference]
        var description: String { file }
    }

    struct Resize: Decodable, Sendable, CustomStringConvertible {
        let source: String
        let width: Int
        let height: Int
        let file: String
        var description: String { "\(source) -> \(width)x\(height)" }
    }

    struct BadInput: Decodable, Sendable, CustomStringConvertible {
        let file: String
        /// The ImageError case name, optionally ":" and the detected format name.
        let error: String
        var description: String { file }
    }

    let mean: [Float]
    let std: [Float]
    let normalizeTable: String
    let images: [Image]
    let resizes: [Resize]
    let bad: [BadInput]

    /// Tests/VisionTests/ImageFixtures.swift -> repository root -> Tests/Fixtures/images.
    static let directory: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Tests/Fixtures/images")

    static func path(_ file: String) -> String { directory.appendingPathComponent(file).path }

    /// Loaded once; an unreadable index yields no cases and fails `indexLoads`.
    static let shared: ImageFixtureIndex? = {
        guard let data = try? Data(contentsOf: directory.appendingPathComponent("index.json")) else { return nil }
        return try? JSONDecoder().decode(ImageFixtureIndex.self, from: data)
    }()

    static var images: [Image] { shared?.images ?? [] }
    static var resizes: [Resize] { shared?.resizes ?? [] }
    static var badInputs: [BadInput] { shared?.bad ?? [] }

    /// A raw little-endian float32 file.
    static func floats(_ file: String) throws -> [Float] {
        let data = try Data(contentsOf: directory.appendingPathComponent(file))
        return data.withUnsafeBytes { raw in
            (0..<data.count / 4).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self))) }
        }
    }

    /// A reference image stored as an 8-bit RGB PNG.
    static func referencePNG(_ file: String) throws -> RGBImage {
        try ImageLoader.load(path: path(file))
    }
}

/// Where two equally sized byte buffers differ.
struct ByteDifference: CustomStringConvertible {
    let maxAbs: Int
    let differing: Int
    let total: Int

    init(_ a: [UInt8], _ b: [UInt8]) {
        var maxAbs = 0, differing = 0
        for (x, y) in zip(a, b) where x != y {
            differing += 1
            maxAbs = max(maxAbs, abs(Int(x) - Int(y)))
        }
        self.maxAbs = maxAbs
        self.differing = differing
        total = a.count
    }

    var description: String {
        let percent = total == 0 ? 0 : 100 * Double(differing) / Double(total)
        return "max |diff| \(maxAbs), \(differing) of \(total) bytes differ (\(String(format: "%.3f", percent))%)"
    }
}
