import CKernels
import TensorCore

/// A convolution with its BatchNorm folded in (weight * gamma/sqrt(var+eps), bias = beta - mean * that),
/// run on channels-last activations as im2col + a matrix product through TensorCore's Linear.
public struct Convolution: Sendable {
    public let name: String
    /// (outChannels, inChannels * kernel * kernel) view of the (Cout, Cin, k, k) weight.
    public let weight: TensorView
    public let bias: [Float]  // (outChannels)
    public let inChannels: Int
    public let outChannels: Int
    public let kernel: Int
    public let stride: Int
    public let padding: Int

    public init(name: String, weight w: TensorView, bias: [Float], stride: Int, padding: Int) {
        self.name = name
        outChannels = w.shape[0]
        inChannels = w.shape[1]
        kernel = w.shape[2]
        self.stride = stride
        self.padding = padding
        self.bias = bias
        weight = TensorView(name: w.name, type: w.type, shape: [w.shape[0], w.shape[1] * w.shape[2] * w.shape[3]],
                            data: w.data, byteCount: w.byteCount, owner: w.owner)
    }

    /// Columns of one im2col row (the matrix product's inner dimension).
    public var innerSize: Int { inChannels * kernel * kernel }

    /// x: (h, w, inChannels) -> (oh, ow, outChannels).
    func callAsFunction(_ x: FeatureMap, _ ctx: EncoderContext) -> FeatureMap {
        let oh = (x.height + 2 * padding - kernel) / stride + 1
        let ow = (x.width + 2 * padding - kernel) / stride + 1
        // every output is written by the matrix product
        var out = FeatureMap(uninitializedHeight: oh, width: ow, channels: outChannels)
        let direct = kernel == 1 && stride == 1 && padding == 0
        x.values.withUnsafeBufferPointer { src in
            bias.withUnsafeBufferPointer { b in
                out.values.withUnsafeMutableBufferPointer { o in
                    guard let srcBase = src.baseAddress, let outBase = o.baseAddress else { return }
                    let columns: UnsafePointer<Float>
                    if direct {
                        columns = srcBase
                    } else {
                        let c = ctx.columns(oh * ow * innerSize)
                        gk_im2col_hwc(srcBase, Int64(x.height), Int64(x.width), Int64(x.channels),
                                      Int64(kernel), Int64(stride), Int64(padding), c)
                        columns = UnsafePointer(c)
                    }
                    Linear.apply(weight, bias: b.baseAddress, input: columns, tokens: oh * ow, output: outBase,
                                 pool: ctx.pool, scratch: ctx.scratch)
                }
            }
        }
        return out
    }
}

/// Channels-last activations (height, width, channels).
struct FeatureMap {
    var height: Int
    var width: Int
    var channels: Int
    var values: [Float]

    init(height: Int, width: Int, channels: Int) {
        self.height = height
        self.width = width
        self.channels = channels
        values = [Float](repeating: 0, count: height * width * channels)
    }

    /// For outputs that a kernel writes in full: skips zero-filling megabytes per convolution.
    init(uninitializedHeight height: Int, width: Int, channels: Int) {
        self.height = height
        self.width = width
        self.channels = channels
        let n = height * width * channels
        values = [Float](unsafeUninitializedCapacity: n) { _, count in count = n }
    }

    /// AvgPool2d(k): kernel = stride = k.
    func averagePooled(_ k: Int) -> FeatureMap {
        guard k > 1 else { return self }
        var out = FeatureMap(uninitializedHeight: height / k, width: width / k, channels: channels)
        values.withUnsafeBufferPointer { src in
            out.values.withUnsafeMutableBufferPointer { dst in
                gk_avgpool_hwc(src.baseAddress, Int64(height), Int64(width), Int64(channels), Int64(k), dst.baseAddress)
            }
        }
        return out
    }

    mutating func relu() {
        let n = values.count
        values.withUnsafeMutableBufferPointer { gk_relu($0.baseAddress, Int64(n)) }
    }

    /// self = relu(self + other)
    mutating func addRelu(_ other: FeatureMap) {
        let n = values.count
        other.values.withUnsafeBufferPointer { o in
            values.withUnsafeMutableBufferPointer { gk_add_relu($0.baseAddress, o.baseAddress, Int64(n)) }
        }
    }
}

/// Threads and scratch shared by the encoder's matrix products.
final class EncoderContext: @unchecked Sendable {
    let pool: ThreadPool
    let scratch: LinearScratch
    /// The im2col matrix, kept between convolutions and images: RN50x16's stem needs 64 MB, which a fresh
    /// allocation per convolution paid for again in page faults and zeroing (~5% of an encode).
    private var columnBuffer: UnsafeMutablePointer<Float>?
    private var columnCapacity = 0

    init(pool: ThreadPool, maxInnerSize: Int) {
        self.pool = pool
        scratch = LinearScratch(maxCols: maxInnerSize, threads: pool.size)
    }

    deinit { columnBuffer?.deallocate() }

    /// Room for `count` floats of im2col output (contents undefined).
    func columns(_ count: Int) -> UnsafeMutablePointer<Float> {
        if let columnBuffer, count <= columnCapacity { return columnBuffer }
        columnBuffer?.deallocate()
        let buffer = UnsafeMutablePointer<Float>.allocate(capacity: count)
        columnBuffer = buffer
        columnCapacity = count
        return buffer
    }
}
