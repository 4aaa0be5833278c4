// OpenAI CLIP's preprocessing, clip.clip._transform(n_px):
//   Compose([Resize(n_px, interpolation=BICUBIC), CenterCrop(n_px), convert("RGB"), ToTensor(),
//            Normalize(mean, std)])
// as torchvision applies it to a PIL image (torchvision/transforms/functional.py).

/// Turns an RGB image into CLIP's input tensor, bit for bit as torchvision does on a PIL image.
public struct CLIPPreprocessor: Sendable {
    /// CLIP's per-channel mean (R, G, B) used by `Normalize`.
    public static let clipMean: [Float] = [0.48145466, 0.4578275, 0.40821073]
    /// CLIP's per-channel standard deviation (R, G, B) used by `Normalize`.
    public static let clipStd: [Float] = [0.26862954, 0.26130258, 0.27577711]

    /// Output side length in pixels (the model's input resolution).
    public let size: Int
    /// Per-channel mean, R, G, B.
    public let mean: [Float]
    /// Per-channel standard deviation, R, G, B.
    public let std: [Float]

    /// `size` > 0; `mean` and `std` have three entries each.
    public init(size: Int, mean: [Float] = CLIPPreprocessor.clipMean, std: [Float] = CLIPPreprocessor.clipStd) {
        precondition(size > 0 && mean.count == 3 && std.count == 3, "CLIPPreprocessor: size \(size), \(mean.count) means, \(std.count) stds")
        self.size = size
        self.mean = mean
        self.std = std
    }

    /// The (3, size, size) float32 tensor, channel-major (CHW): `(pixel / 255 - mean[c]) / std[c]`.
    public func callAsFunction(_ image: RGBImage) -> [Float] {
        let cropped = resizedAndCropped(image)
        let plane = size * size
        var tensor = [Float](repeating: 0, count: 3 * plane)
        for c in 0..<3 {
            let m = mean[c], s = std[c]
            for i in 0..<plane {
                // ToTensor divides by 255 in float32, then Normalize subtracts and divides in place:
                // three float32 roundings, kept in this order.
                let x = Float(cropped.pixels[i * 3 + c]) / 255
                tensor[c * plane + i] = (x - m) / s
            }
        }
        return tensor
    }

    /// The uint8 image after Resize and CenterCrop, i.e. what ToTensor receives.
    public func resizedAndCropped(_ image: RGBImage) -> RGBImage {
        let (width, height) = Self.resizedSize(width: image.width, height: image.height, shorterSide: size)
        // torchvision returns the image untouched when the size already matches
        if width == image.width && height == image.height { return Self.centerCrop(image, size: size) }
        guard width >= size && height >= size else {
            return Self.centerCrop(PILResize.bicubic(image, width: width, height: height), size: size)
        }
        // The crop needs no padding, so only its window of the resize is computed: the long side of a
        // thin image grows without bound (1x65535 -> 224x14.7M) while the crop stays size x size.
        let left = Self.cropStart(width, size: size), top = Self.cropStart(height, size: size)
        return PILResize.bicubic(image, width: width, height: height, columns: left..<left + size, rows: top..<top + size)
    }

    /// Where torchvision's center crop starts along a side of `side` >= `size` pixels:
    /// `int(round((side - size) / 2.0))`, with Python's round-half-to-even.
    static func cropStart(_ side: Int, size: Int) -> Int {
        Int((Double(side - size) / 2.0).rounded(.toNearestOrEven))
    }

    /// torchvision's `_compute_resized_output_size` for an int size: the shorter side becomes
    /// `shorterSide`, the longer `int(shorterSide * long / short)` (true division, then truncation).
    static func resizedSize(width: Int, height: Int, shorterSide: Int) -> (width: Int, height: Int) {
        let (short, long) = width <= height ? (width, height) : (height, width)
        let newLong = Int(Double(shorterSide * long) / Double(short))
        return width <= height ? (shorterSide, newLong) : (newLong, shorterSide)
    }

    /// torchvision's `center_crop`: zero-pads a side shorter than `size` (split as floor / ceil),
    /// then crops at `int(round((side - size) / 2.0))` with Python's round-half-to-even.
    static func centerCrop(_ image: RGBImage, size: Int) -> RGBImage {
        if image.width == size && image.height == size { return image }
        let padLeft = image.width < size ? (size - image.width) / 2 : 0
        let padTop = image.height < size ? (size - image.height) / 2 : 0
        let paddedWidth = max(image.width, size), paddedHeight = max(image.height, size)
        let left = cropStart(paddedWidth, size: size) - padLeft
        let top = cropStart(paddedHeight, size: size) - padTop

        var out = [UInt8](repeating: 0, count: size * size * 3)
        for y in 0..<size {
            let sy = y + top
            guard sy >= 0 && sy < image.height else { continue }
            for x in 0..<size {
                let sx = x + left
                guard sx >= 0 && sx < image.width else { continue }
                let s = (sy * image.width + sx) * 3, d = (y * size + x) * 3
                out[d] = image.pixels[s]
                out[d + 1] = image.pixels[s + 1]
                out[d + 2] = image.pixels[s + 2]
            }
        }
        return RGBImage(width: size, height: size, pixels: out)
    }
}
