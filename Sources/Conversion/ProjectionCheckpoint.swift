/// A LiMBeR projection checkpoint: the state dict of nn.Linear(C, n_embd) ({weight, bias}, possibly under
/// a prefix such as "proj."), optionally with a LayerNorm after it ("ln.weight", "ln.bias") as MAGMA has.
struct ProjectionCheckpoint {
    var weight: [Float]   // (outputWidth, inputWidth)
    var bias: [Float]
    var normWeight: [Float]?
    var normBias: [Float]?
    var inputWidth: Int
    var outputWidth: Int

    init(path: String) throws {
        let tensors = try CheckpointLoader.readTensors(path: path)
        func find(_ suffixes: [String]) -> SourceTensor? {
            for s in suffixes { if let t = tensors.first(where: { $0.name == s || $0.name.hasSuffix("." + s) }) { return t } }
            return nil
        }
        let norm2D = tensors.filter { $0.shape.count == 2 }
        guard let w = find(["proj.weight"]) ?? (norm2D.count == 1 ? norm2D.first : nil) ?? find(["weight"]), w.shape.count == 2 else {
            throw ConversionError.badConfig(path: path, reason: "no projection weight: expected the state dict of nn.Linear ('weight' of shape (n_embd, C), 'bias')")
        }
        let prefix = String(w.name.dropLast("weight".count))
        guard let b = tensors.first(where: { $0.name == prefix + "bias" }), b.shape == [w.shape[0]] else {
            throw ConversionError.missingWeight(path: path, tensor: prefix + "bias")
        }
        outputWidth = w.shape[0]
        inputWidth = w.shape[1]
        weight = try w.floats()
        bias = try b.floats()
        if let nw = find(["ln.weight", "norm.weight"]), nw.name != w.name {
            let nbName = String(nw.name.dropLast("weight".count)) + "bias"
            guard nw.shape == [outputWidth], let nb = tensors.first(where: { $0.name == nbName }), nb.shape == [outputWidth] else {
                throw ConversionError.badConfig(path: path, reason: "LayerNorm '\(nw.name)' does not match the projection width \(outputWidth)")
            }
            normWeight = try nw.floats()
            normBias = try nb.floats()
        }
    }
}
