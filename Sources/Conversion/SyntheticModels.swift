import Foundation
import GGUF
import TensorCore
import Tokenizer

/// Full-size models with random weights, for benchmarks (real GPT-J / CLIP weights cannot be downloaded
/// everywhere). Written tensor by tensor, so memory stays small whatever the size.
public enum SyntheticModels {
    public enum Architecture: String, CaseIterable, Sendable {
        case gptj6B = "gptj-6b"
        case clipRN50x16 = "clip-rn50x16"
    }

    /// GPT-J-6B's shape (EleutherAI/gpt-j-6B config.json) with a byte-level tokenizer (256 byte tokens and
    /// <|endoftext|>, no merges), so the file is self-contained.
    public static func writeGPTJ6B(to path: String, type: GGMLType, seed: UInt64 = 1, progress: ((Int, Int) -> Void)? = nil) throws {
        let d = 4096, ff = 16384, layers = 28, vocab = 50400
        let w = GGUFWriter(path: path)
        let arch = GPTJTensorName.architecture
        w.set(GGUFKey.architecture, .string(arch))
        w.set(GGUFKey.name, .string("synthetic GPT-J-6B (random weights)"))
        w.set(GGUFKey.fileType, .uint32(type.fileType))
        w.set(GGUFKey.quantizationVersion, .uint32(2))
        w.set(GGUFKey.contextLength(arch), .uint32(2048))
        w.set(GGUFKey.embeddingLength(arch), .uint32(UInt32(d)))
        w.set(GGUFKey.blockCount(arch), .uint32(UInt32(layers)))
        w.set(GGUFKey.feedForwardLength(arch), .uint32(UInt32(ff)))
        w.set(GGUFKey.ropeDimensionCount(arch), .uint32(64))
        w.set(GGUFKey.headCount(arch), .uint32(16))
        w.set(GGUFKey.layerNormEpsilon(arch), .float32(1e-5))
        let tokens = ByteLevel.scalarForByte.map { String(Character($0)) } + ["<|endoftext|>"]
        w.set(GGUFKey.tokenizerModel, .string("gpt2"))
        w.set(GGUFKey.tokenizerTokens, .array(.string, tokens.map { .string($0) }))
        w.set(GGUFKey.tokenizerTokenType, .array(.int32, tokens.indices.map { .int32($0 == 256 ? GGUFTokenType.control.rawValue : GGUFTokenType.normal.rawValue) }))
        w.set(GGUFKey.tokenizerMerges, .array(.string, []))
        w.set(GGUFKey.tokenizerBOS, .uint32(256))
        w.set(GGUFKey.tokenizerEOS, .uint32(256))
        typealias N = GPTJTensorName
        var index: UInt64 = 0
        func add(_ name: String, _ shape: [Int], scale: Float, offset: Float = 0) throws {
            index += 1
            let t = TensorEncoding.storageType(shape: shape, requested: type)
            try w.add(randomTensor(name, shape: shape, type: t, scale: scale, offset: offset, seed: seed &* 1_000_003 &+ index))
        }
        try add(N.tokenEmbedding, [vocab, d], scale: 0.02)
        for i in 0..<layers {
            try add(N.attnNormWeight(i), [d], scale: 0.05, offset: 1)
            try add(N.attnNormBias(i), [d], scale: 0.02)
            for name in [N.attnQ(i), N.attnK(i), N.attnV(i), N.attnOutput(i)] { try add(name, [d, d], scale: 0.02) }
            try add(N.ffnUpWeight(i), [ff, d], scale: 0.02)
            try add(N.ffnUpBias(i), [ff], scale: 0.02)
            try add(N.ffnDownWeight(i), [d, ff], scale: 0.02)
            try add(N.ffnDownBias(i), [d], scale: 0.02)
        }
        try add(N.outputNormWeight, [d], scale: 0.05, offset: 1)
        try add(N.outputNormBias, [d], scale: 0.02)
        try add(N.outputWeight, [vocab, d], scale: 0.02)
        try add(N.outputBias, [vocab], scale: 0.02)
        try w.write(progress: progress)
    }

    /// CLIP RN50x16's visual tower ([6, 8, 18, 8], width 96, 384 px; BatchNorm already folded) and a
    /// 3072 -> 4096 LiMBeR projection.
    public static func writeCLIPRN50x16(to path: String, type: GGMLType, seed: UInt64 = 2, progress: ((Int, Int) -> Void)? = nil) throws {
        let layers = [6, 8, 18, 8], width = 96, size = 384, lm = 4096
        let w = GGUFWriter(path: path)
        w.set(GGUFKey.architecture, .string(CLIPKey.architecture))
        w.set(GGUFKey.name, .string("synthetic CLIP RN50x16 + LiMBeR projection (random weights)"))
        w.set(GGUFKey.fileType, .uint32(type.fileType))
        w.set(CLIPKey.hasVisionEncoder, .bool(true))
        w.set(CLIPKey.projectorType, .string("limber_linear"))
        w.set(CLIPKey.encoderFamily, .string("modified_resnet"))
        w.set(CLIPKey.imageSize, .uint32(UInt32(size)))
        w.set(CLIPKey.embeddingLength, .uint32(UInt32(width * 32)))
        w.set(CLIPKey.gridSize, .uint32(UInt32(size / 32)))
        w.set(CLIPKey.resnetLayers, .array(.uint32, layers.map { .uint32(UInt32($0)) }))
        w.set(CLIPKey.resnetWidth, .uint32(UInt32(width)))
        w.set(CLIPKey.imageMean, .array(.float32, CLIPVisionConverter.clipMean.map { .float32($0) }))
        w.set(CLIPKey.imageStd, .array(.float32, CLIPVisionConverter.clipStd.map { .float32($0) }))
        w.set(CLIPKey.projectionDim, .uint32(UInt32(lm)))
        typealias N = CLIPTensorName
        var index: UInt64 = 0
        func conv(_ base: String, _ out: Int, _ inp: Int, _ k: Int, residual: Bool = false) throws {
            index += 1
            // 1/sqrt(fan-in), and small last convolutions of each residual branch: activations stay O(1)
            // through 40 blocks instead of growing geometrically
            let scale = (1.0 / Float(inp * k * k)).squareRoot() * (residual ? 0.2 : 1)
            // ggml's blocks run along the innermost dimension (kx): quantized types need it to be a multiple
            // of 32, so convolutions stay f16 (as in llama.cpp's CLIP files)
            let t = TensorEncoding.storageType(shape: [out, inp, k, k], requested: type)
            try w.add(randomTensor(N.weight(base), shape: [out, inp, k, k], type: t, scale: scale, offset: 0, seed: seed &* 7919 &+ index))
            try w.add(randomTensor(N.bias(base), shape: [out], type: .f32, scale: 0.01, offset: 0, seed: seed &* 7927 &+ index))
        }
        try conv(N.stemConv(1), width / 2, 3, 3)
        try conv(N.stemConv(2), width / 2, width / 2, 3)
        try conv(N.stemConv(3), width, width / 2, 3)
        var inplanes = width
        for s in 1...4 {
            let planes = width << (s - 1)
            for b in 0..<layers[s - 1] {
                try conv(N.blockConv(s, b, 1), planes, inplanes, 1)
                try conv(N.blockConv(s, b, 2), planes, planes, 3)
                try conv(N.blockConv(s, b, 3), planes * 4, planes, 1, residual: true)
                if b == 0 { try conv(N.blockDownsample(s, b), planes * 4, inplanes, 1) }
                inplanes = planes * 4
            }
        }
        try w.add(randomTensor(N.weight(N.projection), shape: [lm, inplanes], type: TensorEncoding.storageType(shape: [lm, inplanes], requested: type),
                               scale: 0.02, offset: 0, seed: seed &+ 99))
        try w.add(randomTensor(N.bias(N.projection), shape: [lm], type: .f32, scale: 0.01, offset: 0, seed: seed &+ 100))
        try w.write(progress: progress)
    }

    /// A tensor of uniform values in offset ± scale*sqrt(3) (standard deviation `scale`), generated and
    /// encoded one row at a time.
    static func randomTensor(_ name: String, shape: [Int], type: GGMLType, scale: Float, offset: Float, seed: UInt64) -> GGUFWriter.PendingTensor {
        GGUFWriter.PendingTensor(name: name, type: type, shape: shape) { out in
            let cols = shape.count > 1 ? shape.dropFirst().reduce(1, *) : shape[0]
            let rows = shape.reduce(1, *) / cols
            let rowBytes = type.byteCount(elements: cols) ?? 0
            let group = type.rowGroup  // rows generated and encoded a group at a time
            let chunkRows = max(1, (4 << 20) / max(1, rowBytes * group)) * group
            var floats = [Float](repeating: 0, count: cols * group)
            var bytes = [UInt8](repeating: 0, count: chunkRows * rowBytes)
            var state = seed | 1
            let a = scale * Float(3).squareRoot()
            var r = 0
            while r < rows {
                let n = min(chunkRows, rows - r)
                for i in stride(from: 0, to: n, by: group) {
                    for c in 0..<(cols * group) {
                        state ^= state << 13; state ^= state >> 7; state ^= state << 17  // xorshift64
                        floats[c] = offset + a * (Float(state >> 40) * 0x1.0p-23 - 1)
                    }
                    floats.withUnsafeBufferPointer { f in
                        bytes.withUnsafeMutableBytes { b in
                            if let fp = f.baseAddress, let bp = b.baseAddress { type.encode(fp, rows: group, cols: cols, into: bp + i * rowBytes) }
                        }
                    }
                }
                try bytes.withUnsafeBytes { try out.write(UnsafeRawBufferPointer(rebasing: $0[0..<(n * rowBytes)])) }
                r += n
            }
        }
    }
}

