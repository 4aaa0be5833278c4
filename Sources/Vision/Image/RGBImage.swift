/// An 8-bit RGB image as Pillow's mode "RGB" holds it.
public struct RGBImage: Sendable, Equatable {
    /// Width in pixels.
    public var width: Int
    /// Height in pixels.
    public var height: Int
    /// `height * width * 3` bytes: rows top to bottom, pixels left to right, channels R, G, B.
    public var pixels: [UInt8]

    /// Wraps interleaved RGB bytes; `pixels.count` must be `width * height * 3`.
    public init(width: Int, height: Int, pixels: [UInt8]) {
        precondition(width >= 0 && height >= 0 && pixels.count == width * height * 3,
                     "RGBImage: \(pixels.count) bytes for \(width)x\(height) pixels")
        self.width = width
        self.height = height
        self.pixels = pixels
    }
}
