import Foundation
import GGUF
import TensorCore

/// A vision projector file ("mmproj", like llama.cpp's): a CLIP ModifiedResNet image encoder plus the
/// LiMBeR projection that maps each grid vector to one soft token of the language model's width.
public final class VisionProjector: @unchecked Sendable {
    public let file: GGUFFile
    public let encoder: ModifiedResNet
    public let projection: LiMBeRProjection
    /// CLIP's normalization constants, per RGB channel.
    public let mean: [Float]
    public let std: [Float]
    private let context: EncoderContext

    public var imageSize: Int { encoder.config.imageSize }
    /// Soft tokens per image (grid h * w: 144 for RN50x16).
    public var tokensPerImage: Int { encoder.config.gridSize * encoder.config.gridSize }
    /// Width of each soft token (the LM's n_embd).
    public var tokenWidth: Int { projection.outputWidth }

    public convenience init(path: String, threads: Int = ProcessInfo.processInfo.activeProcessorCount) throws {
        try self.init(gguf: try GGUFFile(path: path), pool: ThreadPool(threads: threads))
    }

    public init(gguf g: GGUFFile, pool: ThreadPool) throws {
        file = g
        func bad(_ what: String) -> GGUFError { .malformed(path: g.path, what: what) }
        let arch = try g.string(GGUFKey.architecture)
        guard arch == CLIPKey.architecture else {
            throw bad("architecture '\(arch)' is not a vision projector (expected 'clip'); pass the language model with -m and the projector with --mmproj")
        }
        let family = try g.string(CLIPKey.encoderFamily)
        guard family == "modified_resnet" else { throw bad("image encoder family '\(family)' is not supported (Glimpse runs CLIP ModifiedResNets)") }
        guard let layers = g.value(CLIPKey.resnetLayers)?.arrayValue?.compactMap(\.intValue), layers.count == 4,
              layers.allSatisfy({ $0 > 0 && $0 < 1000 }) else {
            throw bad("\(CLIPKey.resnetLayers) must be 4 positive block counts")
        }
        let config = ModifiedResNetConfig(layers: layers, width: try g.int(CLIPKey.resnetWidth), imageSize: try g.int(CLIPKey.imageSize))
        guard config.width >= 2, config.width % 2 == 0, config.width <= 4096, config.imageSize >= 32,
              config.imageSize % 32 == 0, config.imageSize <= 4096 else {
            throw bad("encoder width \(config.width) / image size \(config.imageSize) are out of range (image size must be a multiple of 32)")
        }
        let channels = try g.int(CLIPKey.embeddingLength)
        guard channels == config.outputChannels else {
            throw bad("\(CLIPKey.embeddingLength) is \(channels) but a width-\(config.width) ModifiedResNet outputs \(config.outputChannels) channels")
        }
        func floats(_ key: String) throws -> [Float] {
            guard let a = g.value(key)?.arrayValue?.compactMap(\.doubleValue), a.count == 3 else { throw bad("\(key) must hold 3 numbers") }
            return a.map { Float($0) }
        }
        mean = try floats(CLIPKey.imageMean)
        std = try floats(CLIPKey.imageStd)
        guard std.allSatisfy({ $0 > 0 }) else { throw bad("\(CLIPKey.imageStd) must be positive") }
        encoder = try ModifiedResNet(gguf: g, config: config)
        projection = try LiMBeRProjection(gguf: g, inputWidth: channels)
        context = EncoderContext(pool: pool, maxInnerSize: max(encoder.maxInnerSize, channels))
    }

    /// Grid features (h*w, C) of preprocessed pixels (3, n, n).
    public func encode(pixels: [Float]) -> [Float] {
        precondition(pixels.count == 3 * imageSize * imageSize, "pixels must be (3, \(imageSize), \(imageSize))")
        return encoder(pixels, context)
    }

    /// Soft tokens (h*w, n_embd) from grid features (h*w, C).
    public func project(grid: [Float]) -> [Float] {
        projection(grid, rows: tokensPerImage, context)
    }

    /// Soft tokens (h*w, n_embd) of preprocessed pixels.
    public func softTokens(pixels: [Float]) -> [Float] { project(grid: encode(pixels: pixels)) }
}
