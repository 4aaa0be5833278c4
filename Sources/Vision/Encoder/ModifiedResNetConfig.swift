/// Shape of a CLIP ModifiedResNet (clip/model.py), as `clip.model.build_model` infers it from a
/// checkpoint: RN50 = ([3, 4, 6, 3], width 64, 224 px), RN101 = ([3, 4, 23, 3], 64, 224),
/// RN50x4 = ([4, 6, 10, 6], 80, 288), RN50x16 = ([6, 8, 18, 8], 96, 384), RN50x64 = ([3, 15, 36, 10], 128, 448).
public struct ModifiedResNetConfig: Sendable, Equatable {
    /// Bottleneck blocks in each of the four stages.
    public var layers: [Int]
    /// Stem width; stage s has width * 2^s planes and outputs 4x that.
    public var width: Int
    /// Input side in pixels.
    public var imageSize: Int

    public init(layers: [Int], width: Int, imageSize: Int) {
        self.layers = layers
        self.width = width
        self.imageSize = imageSize
    }

    /// Channels of the output grid (width * 32; 3072 for RN50x16).
    public var outputChannels: Int { width * 32 }
    /// Side of the output grid (image size / 32; 12 for RN50x16 at 384 px).
    public var gridSize: Int { imageSize / 32 }
    /// Planes (bottleneck width) of stage s in 1...4.
    public func planes(stage s: Int) -> Int { width << (s - 1) }
}
