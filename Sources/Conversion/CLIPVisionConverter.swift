import Foundation
import GGUF
import TensorCore

/// `glimpse convert vision`: an OpenAI CLIP ResNet checkpoint (TorchScript archive or state dict) plus a
/// LiMBeR projection (proj.ckpt) -> one projector GGUF. Keeps `visual.*` minus the attention pool, folds
/// every BatchNorm (inference form, eps 1e-5) into the convolution before it, and records what the
/// runtime needs (family, depths, width, image size, mean/std, grid, projection width) as metadata.
public enum CLIPVisionConverter {
    /// CLIP's preprocessing constants (clip/clip.py _transform).
    public static let clipMean: [Float] = [0.48145466, 0.4578275, 0.40821073]
    public static let clipStd: [Float] = [0.26862954, 0.26130258, 0.27577711]
    static let batchNormEpsilon = 1e-5

    public static func convert(clip clipPath: String, projection projPath: String, output: String, type: GGMLType,
                               progress: ((Int, Int) -> Void)? = nil) throws {
        let visual = try visualTensors(clipPath)
        let config = try inferConfig(visual, path: clipPath)
        let proj = try ProjectionCheckpoint(path: projPath)
        guard proj.inputWidth == config.outputChannels else {
            throw ConversionError.badConfig(path: projPath, reason: "projection input width \(proj.inputWidth) disagrees with the encoder's output channels \(config.outputChannels) (\(clipPath))")
        }
        let w = GGUFWriter(path: output)
        w.set(GGUFKey.architecture, .string(CLIPKey.architecture))
        w.set(GGUFKey.name, .string(((clipPath as NSString).lastPathComponent as NSString).deletingPathExtension))
        w.set(GGUFKey.fileType, .uint32(type.fileType))
        w.set(CLIPKey.hasVisionEncoder, .bool(true))
        w.set(CLIPKey.projectorType, .string(proj.normWeight == nil ? "limber_linear" : "magma_linear_ln"))
        w.set(CLIPKey.encoderFamily, .string("modified_resnet"))
        w.set(CLIPKey.imageSize, .uint32(UInt32(config.imageSize)))
        w.set(CLIPKey.embeddingLength, .uint32(UInt32(config.outputChannels)))
        w.set(CLIPKey.gridSize, .uint32(UInt32(config.gridSize)))
        w.set(CLIPKey.resnetLayers, .array(.uint32, config.layers.map { .uint32(UInt32($0)) }))
        w.set(CLIPKey.resnetWidth, .uint32(UInt32(config.width)))
        w.set(CLIPKey.imageMean, .array(.float32, clipMean.map { .float32($0) }))
        w.set(CLIPKey.imageStd, .array(.float32, clipStd.map { .float32($0) }))
        w.set(CLIPKey.projectionDim, .uint32(UInt32(proj.outputWidth)))
        w.set(CLIPKey.layerNormEpsilon, .float32(1e-5))

        typealias N = CLIPTensorName
        func addConv(_ src: String, bn: String, as name: String) throws {
            guard let weight = visual["\(src).weight"] else { throw ConversionError.missingWeight(path: clipPath, tensor: "visual.\(src).weight") }
            let (scale, bias) = try batchNormScaleAndBias(channels: weight.shape[0], bn: bn, in: visual, path: clipPath)
            // the scaled weight is computed when the writer reaches it: one convolution in memory at a time
            try addFloats(w, N.weight(name), shape: weight.shape, type: type) {
                let values = try weight.doubles()
                weight.file.release(weight.data)
                let per = values.count / max(1, scale.count)
                return values.indices.map { Float(values[$0] * scale[$0 / per]) }
            }
            try addFloats(w, N.bias(name), shape: [bias.count], type: .f32) { bias }
        }
        for i in 1...3 { try addConv("conv\(i)", bn: "bn\(i)", as: N.stemConv(i)) }
        var inplanes = config.width
        for s in 1...4 {
            let planes = config.planes(stage: s)
            for b in 0..<config.layers[s - 1] {
                let p = "layer\(s).\(b)"
                for j in 1...3 { try addConv("\(p).conv\(j)", bn: "\(p).bn\(j)", as: N.blockConv(s, b, j)) }
                let stride = (s > 1 && b == 0) ? 2 : 1
                if stride > 1 || inplanes != planes * 4 {
                    try addConv("\(p).downsample.0", bn: "\(p).downsample.1", as: N.blockDownsample(s, b))
                }
                inplanes = planes * 4
            }
        }
        try addFloats(w, N.weight(N.projection), shape: [proj.outputWidth, proj.inputWidth], type: type) { proj.weight }
        try addFloats(w, N.bias(N.projection), shape: [proj.outputWidth], type: .f32) { proj.bias }
        if let nw = proj.normWeight, let nb = proj.normBias {
            try addFloats(w, N.weight(N.projectionNorm), shape: [nw.count], type: .f32) { nw }
            try addFloats(w, N.bias(N.projectionNorm), shape: [nb.count], type: .f32) { nb }
        }
        try w.write(progress: progress)
    }

    /// The checkpoint's `visual.*` tensors (prefix stripped), without the attention pool's weights
    /// (its positional embedding's shape is kept: it gives the image size).
    static func visualTensors(_ path: String) throws -> [String: SourceTensor] {
        var out: [String: SourceTensor] = [:]
        for t in try CheckpointLoader.readTensors(path: path) {
            guard t.name.hasPrefix("visual.") else { continue }
            out[String(t.name.dropFirst("visual.".count))] = t
        }
        guard !out.isEmpty else {
            throw ConversionError.badConfig(path: path, reason: "no 'visual.*' tensors: not an OpenAI CLIP checkpoint")
        }
        if out["class_embedding"] != nil || out.keys.contains(where: { $0.hasPrefix("transformer.") }) {
            throw ConversionError.badConfig(path: path, reason: "ViT CLIP checkpoints are not supported yet; Glimpse converts the ModifiedResNet family (RN50, RN101, RN50x4, RN50x16, RN50x64)")
        }
        return out
    }

    /// As clip.model.build_model: width from layer1's first conv, depths from block indices, and the
    /// image size from the attention pool's positional embedding (grid^2 + 1 rows).
    static func inferConfig(_ v: [String: SourceTensor], path: String) throws -> ModifiedResNetShape {
        guard let first = v["layer1.0.conv1.weight"], first.shape.count == 4 else {
            throw ConversionError.missingWeight(path: path, tensor: "visual.layer1.0.conv1.weight")
        }
        let layers = (1...4).map { s in
            Set(v.keys.compactMap { k -> String? in
                let parts = k.split(separator: ".")
                return parts.count > 2 && parts[0] == "layer\(s)" ? String(parts[1]) : nil
            }).count
        }
        guard layers.allSatisfy({ $0 > 0 }) else {
            throw ConversionError.badConfig(path: path, reason: "expected four stages layer1...layer4, found block counts \(layers)")
        }
        guard let pos = v["attnpool.positional_embedding"], pos.shape.count == 2 else {
            throw ConversionError.missingWeight(path: path, tensor: "visual.attnpool.positional_embedding (it gives the image size)")
        }
        let grid = Int((Double(pos.shape[0] - 1)).squareRoot().rounded())
        return ModifiedResNetShape(layers: layers, width: first.shape[0], imageSize: grid * 32)
    }

    /// BatchNorm in inference form as a per-channel affine map: scale = gamma / sqrt(var + eps) multiplies
    /// the convolution's weights, bias = beta - mean * scale is added after it.
    static func batchNormScaleAndBias(channels: Int, bn: String, in v: [String: SourceTensor], path: String) throws -> ([Double], [Float]) {
        func get(_ suffix: String) throws -> [Double] {
            guard let t = v["\(bn).\(suffix)"] else { throw ConversionError.missingWeight(path: path, tensor: "visual.\(bn).\(suffix)") }
            guard t.shape == [channels] else {
                throw ConversionError.wrongShape(path: path, tensor: "visual.\(bn).\(suffix)", expected: [channels], found: t.shape)
            }
            return try t.doubles()
        }
        let gamma = try get("weight"), beta = try get("bias"), mean = try get("running_mean"), variance = try get("running_var")
        let scale = (0..<channels).map { gamma[$0] / (variance[$0] + batchNormEpsilon).squareRoot() }
        let bias = (0..<channels).map { Float(beta[$0] - mean[$0] * scale[$0]) }
        return (scale, bias)
    }

    /// Adds a tensor whose f32 values `make` produces when the writer gets to it.
    static func addFloats(_ w: GGUFWriter, _ name: String, shape: [Int], type: GGMLType, _ make: @escaping () throws -> [Float]) throws {
        let cols = shape.count > 1 ? shape.dropFirst().reduce(1, *) : shape[0]
        let rows = shape.reduce(1, *) / max(1, cols)
        // ggml's blocks run along the innermost dimension (a convolution's kx): quantized types need it to be a
        // multiple of 32, so convolutions stay f16 (as in llama.cpp's CLIP files) and the projection is quantized
        let storage = TensorEncoding.storageType(shape: shape, requested: type)
        try w.add(.init(name: name, type: storage, shape: shape) { out in
            let values = try make()
            let rowBytes = storage.byteCount(elements: cols) ?? 0
            var bytes = [UInt8](repeating: 0, count: rowBytes * rows)
            values.withUnsafeBufferPointer { src in
                bytes.withUnsafeMutableBytes { dst in
                    guard let s = src.baseAddress, let d = dst.baseAddress, values.count == rows * cols else { return }
                    storage.encode(s, rows: rows, cols: cols, into: d)
                }
            }
            try out.write(bytes)
        })
    }
}

/// The family parameters inferred from a checkpoint (mirrors Vision's ModifiedResNetConfig; Conversion
/// does not depend on Vision).
struct ModifiedResNetShape {
    var layers: [Int]
    var width: Int
    var imageSize: Int
    var outputChannels: Int { width * 32 }
    var gridSize: Int { imageSize / 32 }
    func planes(stage s: Int) -> Int { width << (s - 1) }
}
