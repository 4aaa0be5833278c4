import Foundation
import GGUF
import GPTJ
import TensorCore
import Vision

/// The measurements behind `glimpse bench`.
enum BenchMeasurements {
    /// Median, min and max of repeated measurements.
    struct Stats {
        let median: Double
        let min: Double
        let max: Double

        init(_ values: [Double]) {
            let s = values.sorted()
            median = s.isEmpty ? .nan : (s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2)
            min = s.first ?? .nan
            max = s.last ?? .nan
        }

        var json: [String: Double] { ["median": median, "min": min, "max": max] }
    }

    /// Bytes of the matrices one decoded token reads (every block's matrices and the lm_head).
    static func weightBytesPerToken(_ m: GPTJModel) -> Int {
        m.weights.blocks.reduce(m.weights.output.byteCount) { n, b in
            n + [b.attnQ, b.attnK, b.attnV, b.attnOutput, b.ffnUp, b.ffnDown].reduce(0) { $0 + $1.byteCount }
        }
    }

    /// Multiply-adds x 2 of one token through the matrices (attention scores excluded).
    static func flopsPerToken(_ m: GPTJModel) -> Double {
        let c = m.config
        let perLayer = 4 * c.embeddingWidth * c.embeddingWidth + 2 * c.embeddingWidth * c.feedForwardWidth
        return 2 * Double(c.layerCount * perLayer + c.vocabularySize * c.embeddingWidth)
    }

    /// Read bandwidth over the weight matrices with the pool's threads, in bytes per second.
    static func readBandwidth(_ m: GPTJModel, pool: ThreadPool) -> Double {
        var views: [TensorView] = [m.weights.output]
        for b in m.weights.blocks { views += [b.attnQ, b.attnK, b.attnV, b.attnOutput, b.ffnUp, b.ffnDown] }
        return Kernels.readBandwidth(views.map { ($0.data, $0.byteCount) }, pool: pool)
    }

    /// Convolution and projection multiply-adds x 2 of one image through a projector.
    static func imageFlops(_ p: VisionProjector) -> Double {
        let c = p.encoder.config
        var side = c.imageSize / 2  // stem conv1 has stride 2
        var flops = 0.0
        func conv(_ k: Convolution, _ s: Int) { flops += 2 * Double(s * s * k.outChannels * k.innerSize) }
        conv(p.encoder.stem[0], side)
        conv(p.encoder.stem[1], side)
        conv(p.encoder.stem[2], side)
        side /= 2
        for stage in p.encoder.stages {
            for block in stage {
                conv(block.conv1, side)
                conv(block.conv2, side)
                let out = side / block.stride
                conv(block.conv3, out)
                if let d = block.downsample { conv(d, out) }
                side = out
            }
        }
        return flops + 2 * Double(p.tokensPerImage * p.tokenWidth * c.outputChannels)
    }

    /// Peak resident set size of this process in bytes.
    static func peakRSS() -> Int {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        return usage.ru_maxrss * 1024
    }
}
