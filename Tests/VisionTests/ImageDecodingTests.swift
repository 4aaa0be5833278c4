import Foundation
import Testing
import Vision

/// ImageLoader against Pillow's `Image.open(p).convert("RGB")`, and its errors on bad input.
struct ImageDecodingTests {
    @Test func indexLoads() {
        #expect(ImageFixtureIndex.shared != nil, "cannot read \(ImageFixtureIndex.directory.path)/index.json")
        #expect(ImageFixtureIndex.images.count >= 30)
        #expect(ImageFixtureIndex.badInputs.count >= 15)
    }

    @Test(arguments: ImageFixtureIndex.images)
    func decodedPixelsMatchPillow(_ fixture: ImageFixtureIndex.Image) throws {
        let image = try ImageLoader.load(path: ImageFixtureIndex.path(fixture.file))
        #expect(image.width == fixture.width && image.height == fixture.height)
        let reference = try ImageFixtureIndex.referencePNG(fixture.decoded)
        try #require(reference.pixels.count == image.pixels.count)
        let difference = ByteDifference(image.pixels, reference.pixels)
        #expect(difference.differing == 0, "\(fixture.file): \(difference)")
        if let raw = fixture.decodedRaw {
            let bytes = try [UInt8](Data(contentsOf: ImageFixtureIndex.directory.appendingPathComponent(raw)))
            #expect(Bool(bytes == image.pixels), "\(fixture.file): raw reference differs")
        }
    }

    @Test(arguments: ImageFixtureIndex.badInputs)
    func badInputThrowsTheRightError(_ fixture: ImageFixtureIndex.BadInput) {
        let path = ImageFixtureIndex.path(fixture.file)
        let parts = fixture.error.split(separator: ":", maxSplits: 1).map(String.init)
        do {
            let image = try ImageLoader.load(path: path)
            Issue.record("\(fixture.file): decoded \(image.width)x\(image.height) instead of failing")
        } catch {
            #expect(Self.caseName(error) == parts[0], "\(fixture.file): \(error)")
            #expect(error.description.hasPrefix(path), "message must name the file: \(error)")
            if parts.count == 2, case .unsupportedFormat(_, let detected) = error {
                #expect(detected == parts[1])
            }
        }
    }

    @Test func messagesAreSpecific() throws {
        func message(_ file: String) -> String {
            do {
                _ = try ImageLoader.load(path: ImageFixtureIndex.path(file))
                return ""
            } catch {
                return error.description
            }
        }
        #expect(message("bad_dqt_index.jpg").contains("Bogus DQT index 7"))
        #expect(message("bad_ihdr_crc.png").contains("CRC error"))
        #expect(message("unsupported.gif").contains("unsupported image format (GIF); supported formats are JPEG, PNG"))
        #expect(message("unsupported.txt").contains("unsupported image format (unrecognized data)"))
        #expect(message("bad_too_large.png").contains("20000x20000"))
    }

    @Test func missingAndUnreadablePaths() throws {
        let missing = ImageFixtureIndex.path("no-such-image.jpg")
        #expect(throws: ImageError.fileNotFound(path: missing)) { try ImageLoader.load(path: missing) }
        let directory = ImageFixtureIndex.directory.path
        #expect(throws: ImageError.unreadable(path: directory, reason: "it is a directory")) {
            try ImageLoader.load(path: directory)
        }
    }

    /// Every prefix of a valid file must fail cleanly (or decode, for prefixes Pillow also accepts).
    @Test(arguments: ["jpeg_progressive_422_211x97.jpg", "png_interlaced_71x53.png", "jpeg_cmyk_45x31.jpg"])
    func truncationNeverCrashes(_ file: String) throws {
        let data = try Data(contentsOf: ImageFixtureIndex.directory.appendingPathComponent(file))
        for length in Swift.stride(from: 0, to: data.count, by: max(1, data.count / 97)) {
            do {
                _ = try ImageLoader.decode(data.prefix(length), name: file)
            } catch {
                switch error {
                case .truncated, .corrupt, .emptyFile, .unsupportedFormat: break
                default: Issue.record("\(file)[..<\(length)]: \(error)")
                }
            }
        }
    }

    static func caseName(_ error: ImageError) -> String {
        switch error {
        case .fileNotFound: "fileNotFound"
        case .unreadable: "unreadable"
        case .emptyFile: "emptyFile"
        case .unsupportedFormat: "unsupportedFormat"
        case .corrupt: "corrupt"
        case .unsupportedVariant: "unsupportedVariant"
        case .truncated: "truncated"
        case .zeroSize: "zeroSize"
        case .tooLarge: "tooLarge"
        case .outOfMemory: "outOfMemory"
        }
    }
}
