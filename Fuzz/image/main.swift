// JPEG/PNG decoding (libjpeg/libpng behind CImageCodecs' setjmp guards) and CLIP preprocessing
// (bicubic resize as Pillow, center crop, normalize) of whatever decodes.
import Foundation
import FuzzSupport
import Vision

/// Model input sizes to preprocess to; the input's length picks one, so the corpus covers all.
let sizes = [224, 7, 64, 1]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzImage(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let image: RGBImage
    do {
        image = try ImageLoader.decode(Data(bytes: data, count: size), name: "input")
    } catch {
        describe(error)
        return 0
    }
    invariant(image.width > 0 && image.height > 0 && image.width * image.height <= ImageLoader.maxPixels,
              "decoded a \(image.width)x\(image.height) image")
    let side = sizes[size % sizes.count]
    let tensor = CLIPPreprocessor(size: side)(image)
    invariant(tensor.count == 3 * side * side, "preprocessed to \(tensor.count) floats")
    invariant(tensor.allSatisfy { $0.isFinite }, "preprocessing produced a non-finite value")
    return 0
}
