// Filter weights for one axis of a Pillow resize, as precompute_coeffs and normalize_coeffs_8bpc
// compute them in Pillow's src/libImaging/Resample.c (double precision, then 22-bit fixed point).

extension PILResize {
    /// A separable resampling filter: weight as a function of distance, nonzero within `support`.
    struct Filter: Sendable {
        let support: Double
        let weight: @Sendable (Double) -> Double

        /// Keys' cubic convolution with a = -0.5, written with Pillow's operation order.
        static let bicubic = Filter(support: 2.0) { distance in
            let a = -0.5
            let x = distance < 0 ? -distance : distance
            if x < 1.0 { return ((a + 2.0) * x - (a + 3.0)) * x * x + 1 }
            if x < 2.0 { return (((x - 5) * x + 8) * x - 4) * a }
            return 0.0
        }
    }

    /// For each output pixel of a window along one axis: the first source pixel, how many follow, and
    /// their fixed-point weights (`ksize` slots per output pixel, unused slots zero).
    struct Coefficients {
        /// Output pixels in the window (arrays are indexed from the window's start).
        let outSize: Int
        let ksize: Int
        var start: [Int]
        var count: [Int]
        var weights: [Int32]
        /// Rounding term every sum starts from: 0.5 in fixed point.
        let half = 1 << (PILResize.precisionBits - 1)

        /// Weights for output pixels `window` (all of them by default) of an `inSize` -> `outSize` resize.
        init(inSize: Int, outSize: Int, window: Range<Int>? = nil, filter: Filter) {
            let window = window ?? 0..<outSize
            // Pillow works on the box (0, inSize) given as floats; for whole sizes that is exact.
            let scale = Double(inSize) / Double(outSize)
            // Downscaling stretches the filter over more source pixels (antialiasing).
            let filterScale = max(scale, 1.0)
            let support = filter.support * filterScale
            let ksize = Int(support.rounded(.up)) * 2 + 1
            self.outSize = window.count
            self.ksize = ksize
            start = [Int](repeating: 0, count: window.count)
            count = [Int](repeating: 0, count: window.count)
            weights = [Int32](repeating: 0, count: window.count * ksize)

            var k = [Double](repeating: 0, count: ksize)
            for (i, xx) in window.enumerated() {
                let center = (Double(xx) + 0.5) * scale
                let ss = 1.0 / filterScale
                // C's (int) cast truncates toward zero; Int(_:) on a Double does the same.
                let xmin = max(Int(center - support + 0.5), 0)
                let xmax = min(Int(center + support + 0.5), inSize) - xmin
                var total = 0.0
                for x in 0..<xmax {
                    let w = filter.weight((Double(x + xmin) - center + 0.5) * ss)
                    k[x] = w
                    total += w
                }
                for x in 0..<xmax where total != 0.0 {
                    k[x] /= total
                }
                for x in 0..<xmax {
                    // normalize_coeffs_8bpc: round half away from zero into 22 fractional bits.
                    let scaled = k[x] * Double(1 << PILResize.precisionBits)
                    weights[i * ksize + x] = Int32(k[x] < 0 ? -0.5 + scaled : 0.5 + scaled)
                }
                start[i] = xmin
                count[i] = xmax
            }
        }
    }
}
