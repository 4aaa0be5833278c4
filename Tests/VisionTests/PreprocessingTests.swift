import Foundation
import Testing
import TestSupport
@testable import Vision

/// PILResize and CLIPPreprocessor against Pillow / torchvision, starting from Pillow's decoded
/// pixels so that a decoder difference cannot hide or cause a resize difference.
struct PreprocessingTests {
    @Test(arguments: ImageFixtureIndex.resizes)
    func resizeMatchesPillow(_ fixture: ImageFixtureIndex.Resize) throws {
        let source = try Self.pillowDecoded(fixture.source)
        let expected = try ImageFixtureIndex.referencePNG(fixture.file)
        let resized = PILResize.bicubic(source, width: fixture.width, height: fixture.height)
        #expect(resized.width == fixture.width && resized.height == fixture.height)
        #expect(Bool(resized.pixels == expected.pixels), "\(fixture): \(ByteDifference(resized.pixels, expected.pixels))")
    }

    @Test(arguments: ImageFixtureIndex.images)
    func resizedAndCroppedMatchTorchvision(_ fixture: ImageFixtureIndex.Image) throws {
        let source = try ImageFixtureIndex.referencePNG(fixture.decoded)
        for crop in fixture.crops {
            let expected = try ImageFixtureIndex.referencePNG(crop.file)
            let actual = CLIPPreprocessor(size: crop.size).resizedAndCropped(source)
            #expect(actual.width == crop.size && actual.height == crop.size)
            #expect(Bool(actual.pixels == expected.pixels), "\(fixture.file) n=\(crop.size): \(ByteDifference(actual.pixels, expected.pixels))")
        }
    }

    @Test(arguments: ImageFixtureIndex.images.filter { !$0.tensors.isEmpty })
    func tensorsMatchCLIPTransform(_ fixture: ImageFixtureIndex.Image) throws {
        let source = try ImageFixtureIndex.referencePNG(fixture.decoded)
        for reference in fixture.tensors {
            let expected = try ImageFixtureIndex.floats(reference.file)
            let actual = CLIPPreprocessor(size: reference.size)(source)
            try #require(actual.count == 3 * reference.size * reference.size && expected.count == actual.count)
            let worst = zip(actual, expected).map { abs($0 - $1) }.max() ?? 0
            let exact = zip(actual, expected).filter { $0.0.bitPattern == $0.1.bitPattern }.count
            #expect(worst <= 1e-6, "\(fixture.file) n=\(reference.size): max |diff| \(worst)")
            #expect(exact == actual.count, "\(fixture.file) n=\(reference.size): \(actual.count - exact) values not bit-identical")
        }
    }

    /// ToTensor + Normalize for every byte value, against torchvision: the whole elementwise map.
    @Test func normalizationMatchesTorchvisionForEveryByte() throws {
        let index = try #require(ImageFixtureIndex.shared)
        #expect(index.mean == CLIPPreprocessor.clipMean && index.std == CLIPPreprocessor.clipStd)
        let table = try ImageFixtureIndex.floats(index.normalizeTable)
        // A 16x16 image holding all 256 values is already 16 >= size 16: no resize, no crop.
        let all = RGBImage(width: 16, height: 16, pixels: (0..<256).flatMap { [UInt8($0), UInt8($0), UInt8($0)] })
        let tensor = CLIPPreprocessor(size: 16)(all)
        for c in 0..<3 {
            for v in 0..<256 {
                #expect(tensor[c * 256 + v].bitPattern == table[c * 256 + v].bitPattern, "channel \(c) value \(v)")
            }
        }
    }

    @Test func resizedSizeFollowsTorchvision() {
        #expect(CLIPPreprocessor.resizedSize(width: 320, height: 213, shorterSide: 224) == (336, 224))
        #expect(CLIPPreprocessor.resizedSize(width: 97, height: 211, shorterSide: 48) == (48, 104))
        #expect(CLIPPreprocessor.resizedSize(width: 1, height: 64, shorterSide: 48) == (48, 3072))
        #expect(CLIPPreprocessor.resizedSize(width: 80, height: 80, shorterSide: 48) == (48, 48))
    }

    /// (53 - 48) / 2 = 2.5 rounds to 2 in Python (half to even), not 3.
    @Test func centerCropUsesBankersRounding() {
        let column = RGBImage(width: 1, height: 5, pixels: (0..<5).flatMap { [UInt8($0), 0, 0] })
        #expect(CLIPPreprocessor.centerCrop(column, size: 1).height == 1)
        let tall = RGBImage(width: 2, height: 7, pixels: (0..<14).flatMap { [UInt8($0), 0, 0] })
        // Crop 2x2 from 2x7: top = round(2.5) = 2, so rows 2 and 3 (pixels 4...7).
        #expect(CLIPPreprocessor.centerCrop(tall, size: 2).pixels.enumerated().filter { $0.offset % 3 == 0 }.map(\.element) == [4, 5, 6, 7])
    }

    /// Found by Fuzz/image: an 828-byte 50984x30 JPEG took 13-169 s in the fuzz build at n=224, because
    /// its whole 380680x224 resize was computed before the center crop; the 206-byte 1x65535 PNG (made
    /// by hand for the same cause) would need 10 GB. Only the crop's window is resized now.
    @Test(arguments: ["fuzz_wide_cmyk_50984x30.jpg", "fuzz_thin_1x65535.png"])
    func thinImagesResizeOnlyTheCrop(_ file: String) throws {
        let image = try ImageLoader.load(path: ImageFixtureIndex.path(file))
        let cropped = CLIPPreprocessor(size: 224).resizedAndCropped(image)
        #expect(cropped.width == 224 && cropped.height == 224)
    }

    /// A 421-byte JPEG declaring 16424x12830 pixels (found by Fuzz/image as a 22 s "slow unit") is refused
    /// from its header, as Pillow refuses it (DecompressionBombError above 178,956,970 pixels).
    @Test func decompressionBombIsRefusedFromTheHeader() {
        do {
            _ = try ImageLoader.load(path: ImageFixtureIndex.path("fuzz_bomb_210mpx.jpg"))
            Issue.record("a 210-megapixel image was accepted")
        } catch {
            guard case .tooLarge(_, let width, let height, let limit) = error else { Issue.record("\(error)"); return }
            #expect(width * height == 210_719_920 && limit == 178_956_970)
        }
    }

    /// A window of a resize equals the same crop of the full resize, whichever pass runs first or is skipped.
    @Test func windowedResizeEqualsCroppedFullResize() {
        var rng = SplitMix64(seed: 7)
        let source = RGBImage(width: 37, height: 40, pixels: (0..<37 * 40 * 3).map { _ in UInt8(truncatingIfNeeded: rng.next()) })
        // vertical first, horizontal first, both up, vertical only, horizontal only, none
        for (width, height) in [(30, 10), (10, 30), (80, 95), (37, 13), (20, 40), (37, 40)] {
            let full = PILResize.bicubic(source, width: width, height: height)
            for (columns, rows) in [(0..<width, 0..<height), (1..<width - 1, 2..<height / 2), (width / 2..<width / 2 + 1, 0..<1)] {
                let window = PILResize.bicubic(source, width: width, height: height, columns: columns, rows: rows)
                #expect(window == PILResize.crop(full, columns: columns, rows: rows), "\(width)x\(height) window \(columns) x \(rows)")
            }
        }
    }

    static func pillowDecoded(_ file: String) throws -> RGBImage {
        let entry = try #require(ImageFixtureIndex.images.first { $0.file == file })
        return try ImageFixtureIndex.referencePNG(entry.decoded)
    }
}
