import ArgumentParser
import Foundation
import Vision

extension Glimpse {
    struct EmbedImage: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "embed-image",
            abstract: "Write an image's preprocessed pixels, grid features or soft tokens as a NumPy .npy file.",
            discussion: """
            Stages: pixels (3, n, n) after CLIP's resize/crop/normalize; grid (h*w, C) from the ResNet without \
            its attention pool; tokens (h*w, n_embd) after the LiMBeR projection.
            Example: glimpse embed-image --mmproj clip-rn50x16-limber.gguf --image cat.jpg --out cat.npy --stage tokens
            """)

        enum Stage: String, ExpressibleByArgument, CaseIterable { case pixels, grid, tokens }

        @Option(name: .long, help: "Vision projector file (GGUF). Default: the shipped models/\(ShippedModels.projector).")
        var mmproj: String?

        @Option(name: .long, help: "Image (JPEG or PNG).")
        var image: String

        @Option(name: .long, help: "Output .npy file.")
        var out: String

        @Option(name: .long, help: "What to write: pixels, grid or tokens.")
        var stage: Stage = .tokens

        @Option(name: .long, help: "Worker threads (all cores by default).")
        var threads: Int = ProcessInfo.processInfo.activeProcessorCount

        func run() throws {
            try OutputPath.check(out)
            let projector = try VisionProjector(path: try ShippedModels.resolve(mmproj, file: ShippedModels.projector, option: "--mmproj"), threads: threads)
            let pixels = try ImageInput.pixels(path: image, projector: projector)
            let n = projector.imageSize
            switch stage {
            case .pixels:
                try NPYFile.write(pixels, shape: [3, n, n], to: out)
            case .grid:
                try NPYFile.write(projector.encode(pixels: pixels), shape: [projector.tokensPerImage, projector.encoder.config.outputChannels], to: out)
            case .tokens:
                try NPYFile.write(projector.softTokens(pixels: pixels), shape: [projector.tokensPerImage, projector.tokenWidth], to: out)
            }
        }
    }
}

/// Loading and preprocessing an image for a projector.
enum ImageInput {
    static func pixels(path: String, projector: VisionProjector) throws -> [Float] {
        let image = try ImageLoader.load(path: path)
        return CLIPPreprocessor(size: projector.imageSize, mean: projector.mean, std: projector.std)(image)
    }
}
