import GGUF
import TensorCore

/// LiMBeR's image-to-text map: y = W x + b on every grid vector (nn.Linear(C, n_embd)), optionally
/// followed by a LayerNorm over n_embd (MAGMA's variant).
public struct LiMBeRProjection: Sendable {
    public let weight: TensorView  // (nEmbd, C)
    public let bias: [Float]       // (nEmbd)
    public let normWeight: [Float]? // (nEmbd)
    public let normBias: [Float]?   // (nEmbd)
    public let epsilon: Float

    public var outputWidth: Int { weight.shape[0] }

    init(gguf g: GGUFFile, inputWidth: Int) throws {
        typealias N = CLIPTensorName
        let width = try g.int(CLIPKey.projectionDim)
        weight = try g.tensor(N.weight(N.projection), shape: [width, inputWidth])
        bias = try g.tensor(N.bias(N.projection), shape: [width], types: [.f32, .f16, .bf16]).floats()
        if g.info(N.weight(N.projectionNorm)) != nil {
            normWeight = try g.tensor(N.weight(N.projectionNorm), shape: [width], types: [.f32, .f16, .bf16]).floats()
            normBias = try g.tensor(N.bias(N.projectionNorm), shape: [width], types: [.f32, .f16, .bf16]).floats()
        } else {
            normWeight = nil
            normBias = nil
        }
        epsilon = Float(g.value(CLIPKey.layerNormEpsilon)?.doubleValue ?? 1e-5)
    }

    func callAsFunction(_ grid: [Float], rows: Int, _ ctx: EncoderContext) -> [Float] {
        let width = outputWidth
        var out = [Float](repeating: 0, count: rows * width)
        grid.withUnsafeBufferPointer { g in
            bias.withUnsafeBufferPointer { b in
                out.withUnsafeMutableBufferPointer { o in
                    guard let gBase = g.baseAddress, let oBase = o.baseAddress else { return }
                    Linear.apply(weight, bias: b.baseAddress, input: gBase, tokens: rows, output: oBase,
                                 pool: ctx.pool, scratch: ctx.scratch)
                }
            }
        }
        guard let nw = normWeight, let nb = normBias else { return out }
        var normed = out
        out.withUnsafeBufferPointer { src in
            normed.withUnsafeMutableBufferPointer { dst in
                guard let s = src.baseAddress, let d = dst.baseAddress else { return }
                Activations.layerNorm(s, rows: rows, n: width, weight: nw, bias: nb, eps: epsilon, out: d)
            }
        }
        return normed
    }
}
