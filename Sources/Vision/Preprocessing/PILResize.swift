// Pillow's `Image.resize((w, h), Image.BICUBIC)` for 8-bit RGB, as in Pillow 13.0's src/libImaging/Resample.c
// (precompute_coeffs, normalize_coeffs_8bpc, ImagingResampleHorizontal_8bpc / Vertical_8bpc,
// ImagingResampleInner). torchvision's Resize calls exactly this (no `box`, `reducing_gap=None`).

/// Bit-exact reimplementation of Pillow's separable resampling for 8-bit RGB images.
///
/// Pillow resizes in two passes, each rounding to 8 bits: the filter support is widened by the
/// scale factor when downscaling (antialiasing), weights are normalized per output pixel,
/// converted to fixed point with 22 fractional bits, and accumulated in integers. A pass whose
/// size does not change is skipped.
public enum PILResize {
    /// Resizes with Pillow's bicubic filter (a = -0.5); equal sizes return the image unchanged.
    public static func bicubic(_ image: RGBImage, width: Int, height: Int) -> RGBImage {
        bicubic(image, width: width, height: height, columns: 0..<width, rows: 0..<height)
    }

    /// The `columns` x `rows` window of `bicubic(image, width:height:)`, bit for bit, computed without
    /// the rest of the output: each output pixel has its own weights, so a window only skips work.
    /// CLIP's center crop keeps size x size pixels of a resize whose long side can be thousands of times
    /// larger (a 1x65535 PNG resized to 224x14.7M would take 10 GB).
    static func bicubic(_ image: RGBImage, width: Int, height: Int, columns: Range<Int>, rows: Range<Int>) -> RGBImage {
        precondition(width > 0 && height > 0, "PILResize: output size \(width)x\(height)")
        precondition(!columns.isEmpty && !rows.isEmpty && columns.lowerBound >= 0 && columns.upperBound <= width
                     && rows.lowerBound >= 0 && rows.upperBound <= height,
                     "PILResize: window \(columns) x \(rows) outside \(width)x\(height)")
        // A pass whose size does not change is skipped (as Pillow does); the window then only crops that axis.
        let horizontal = width != image.width ? Coefficients(inSize: image.width, outSize: width, window: columns, filter: .bicubic) : nil
        let vertical = height != image.height ? Coefficients(inSize: image.height, outSize: height, window: rows, filter: .bicubic) : nil

        // Pillow 13 runs the vertical pass first when the height loses more than twice as many
        // pixels as the width (Pillow <= 12 always went horizontal first). The 8-bit rounding
        // between passes makes the order visible in the output.
        let heightLoss = image.height - height, widthLoss = image.width - width
        if let vertical, heightLoss > 0 && heightLoss > widthLoss * 2 {
            let current = resampleVertical(image, rowOffset: 0, vertical)
            return horizontal.map { resampleHorizontal(current, rows: 0..<current.height, $0) }
                ?? crop(current, columns: columns, rows: 0..<current.height)
        }
        // Only the source rows the vertical pass will read are resampled horizontally.
        let sourceRows = vertical.map { $0.start[0]..<($0.start[$0.outSize - 1] + $0.count[$0.outSize - 1]) } ?? rows
        let current = horizontal.map { resampleHorizontal(image, rows: sourceRows, $0) }
            ?? crop(image, columns: columns, rows: sourceRows)
        return vertical.map { resampleVertical(current, rowOffset: sourceRows.lowerBound, $0) } ?? current
    }

    /// The pixels of `image` in `columns` x `rows` (the image itself when that is all of it).
    static func crop(_ image: RGBImage, columns: Range<Int>, rows: Range<Int>) -> RGBImage {
        if columns == 0..<image.width && rows == 0..<image.height { return image }
        var out: [UInt8] = []
        out.reserveCapacity(columns.count * rows.count * 3)
        for y in rows {
            let row = y * image.width * 3
            out += image.pixels[(row + columns.lowerBound * 3)..<(row + columns.upperBound * 3)]
        }
        return RGBImage(width: columns.count, height: rows.count, pixels: out)
    }

    /// Pillow's fixed-point precision: 32 bits minus 8 for the pixel and 2 for overshoot.
    static let precisionBits = 32 - 8 - 2

    /// Pillow's clip8: drop the fraction (arithmetic shift, i.e. floor) and clamp to 0...255.
    @inline(__always)
    static func clip8(_ sum: Int) -> UInt8 {
        UInt8(clamping: sum >> precisionBits)
    }

    static func resampleHorizontal(_ image: RGBImage, rows: Range<Int>, _ c: Coefficients) -> RGBImage {
        let outWidth = c.outSize, inWidth = image.width
        var out = [UInt8](repeating: 0, count: rows.count * outWidth * 3)
        image.pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                c.weights.withUnsafeBufferPointer { k in
                    for (outY, y) in rows.enumerated() {
                        let srcRow = y * inWidth * 3, dstRow = outY * outWidth * 3
                        for x in 0..<outWidth {
                            let start = c.start[x], taps = c.count[x], kBase = x * c.ksize
                            var r = c.half, g = c.half, b = c.half
                            for t in 0..<taps {
                                let w = Int(k[kBase + t]), p = srcRow + (start + t) * 3
                                r += Int(src[p]) * w
                                g += Int(src[p + 1]) * w
                                b += Int(src[p + 2]) * w
                            }
                            dst[dstRow + x * 3] = clip8(r)
                            dst[dstRow + x * 3 + 1] = clip8(g)
                            dst[dstRow + x * 3 + 2] = clip8(b)
                        }
                    }
                }
            }
        }
        return RGBImage(width: outWidth, height: rows.count, pixels: out)
    }

    /// `rowOffset`: the source row that `image`'s first row corresponds to (Pillow shifts its bounds).
    static func resampleVertical(_ image: RGBImage, rowOffset: Int, _ c: Coefficients) -> RGBImage {
        let width = image.width, outHeight = c.outSize, stride = width * 3
        var out = [UInt8](repeating: 0, count: outHeight * stride)
        var sums = [Int](repeating: 0, count: stride)
        image.pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                sums.withUnsafeMutableBufferPointer { acc in
                    for y in 0..<outHeight {
                        let start = c.start[y] - rowOffset, kBase = y * c.ksize
                        for i in 0..<stride { acc[i] = c.half }
                        // Row by row rather than pixel by pixel: same integer sums, cache-friendly.
                        for t in 0..<c.count[y] {
                            let w = Int(c.weights[kBase + t]), row = (start + t) * stride
                            for i in 0..<stride { acc[i] += Int(src[row + i]) * w }
                        }
                        for i in 0..<stride { dst[y * stride + i] = clip8(acc[i]) }
                    }
                }
            }
        }
        return RGBImage(width: width, height: outHeight, pixels: out)
    }
}
