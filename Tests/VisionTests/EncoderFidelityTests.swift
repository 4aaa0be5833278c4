import Conversion
import Foundation
import TensorCore
import Testing
import TestSupport
import Vision

/// ModifiedResNet grids and LiMBeR soft tokens against OpenAI CLIP run by the reference script,
/// from the reference's own preprocessed pixels (so this checks the encoder alone).
@Suite(.serialized) struct EncoderFidelityTests {
    static func convert(_ model: String, clip: String, projection: String = "proj.ckpt", type: GGMLType = .f32) throws -> (VisionProjector, URL) {
        let dir = try Fixtures.temporaryDirectory()
        let out = dir.appendingPathComponent("\(model).gguf").path
        try CLIPVisionConverter.convert(clip: Fixtures.path("vision/\(model)/\(clip)"),
                                        projection: Fixtures.path("vision/\(model)/\(projection)"), output: out, type: type)
        return (try VisionProjector(path: out, threads: 2), dir)
    }

    static func maxRelative(_ a: [Float], _ b: [Float]) -> Float {
        var d: Float = 0, m: Float = 0
        for i in 0..<min(a.count, b.count) { d = max(d, abs(a[i] - b[i])); m = max(m, abs(b[i])) }
        return a.count == b.count ? d / max(m, 1e-30) : .infinity
    }

    @Test(arguments: [("rn-a", "clip-jit.pt", 64), ("rn-a", "clip-state.pt", 64), ("rn-b", "clip-jit.pt", 96), ("rn-b", "clip-state.pt", 96)])
    func gridAndSoftTokensMatchCLIP(model: String, clip: String, size: Int) throws {
        let (projector, dir) = try Self.convert(model, clip: clip)
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(projector.imageSize == size)
        for img in 0..<3 {
            let pixels = try NPYArray(url: Fixtures.url("vision/ref/img\(img)_px\(size).npy"))
            let grid = projector.encode(pixels: pixels.values)
            let refGrid = try NPYArray(url: Fixtures.url("vision/ref/\(model)_img\(img)_grid.npy"))
            #expect(refGrid.shape == [projector.tokensPerImage, projector.encoder.config.outputChannels])
            let gridErr = Self.maxRelative(grid, refGrid.values)
            print("[measured] \(model) \(clip) img\(img): grid max|diff|/max|ref| = \(gridErr)")
            #expect(gridErr <= 1e-4)
            let soft = projector.project(grid: grid)
            let refSoft = try NPYArray(url: Fixtures.url("vision/ref/\(model)_img\(img)_soft.npy"))
            let softErr = Self.maxRelative(soft, refSoft.values)
            print("[measured] \(model) \(clip) img\(img): soft tokens max|diff|/max|ref| = \(softErr)")
            #expect(softErr <= 1e-4)
        }
    }

    @Test func layerNormVariant() throws {
        let (projector, dir) = try Self.convert("rn-a", clip: "clip-state.pt", projection: "proj-ln.ckpt")
        defer { try? FileManager.default.removeItem(at: dir) }
        let pixels = try NPYArray(url: Fixtures.url("vision/ref/img1_px64.npy"))
        let soft = projector.softTokens(pixels: pixels.values)
        let ref = try NPYArray(url: Fixtures.url("vision/ref/rn-a_img1_softln.npy"))
        #expect(Self.maxRelative(soft, ref.values) <= 1e-4)
    }

    @Test func mismatchedProjectionIsRefused() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("bad.gguf").path
        #expect {
            try CLIPVisionConverter.convert(clip: Fixtures.path("vision/rn-a/clip-state.pt"),
                                            projection: Fixtures.path("vision/rn-a/proj-bad.ckpt"), output: out, type: .f32)
        } throws: { "\($0)".contains("projection input width") }
        #expect(!FileManager.default.fileExists(atPath: out))
    }

    @Test func vitCheckpointIsRefused() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect {
            try CLIPVisionConverter.convert(clip: Fixtures.path("vision/vit-state.pt"), projection: Fixtures.path("vision/rn-a/proj.ckpt"),
                                            output: dir.appendingPathComponent("vit.gguf").path, type: .f32)
        } throws: { "\($0)".contains("ViT CLIP checkpoints are not supported yet") }
    }
}
