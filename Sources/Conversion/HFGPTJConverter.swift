import Foundation
import GGUF
import TensorCore
import Tokenizer

/// Converts a Hugging Face GPT-J directory (config.json, vocab.json + merges.txt, safetensors or
/// pytorch_model.bin, sharded or not) into one GGUF file with gguf-py's GPT-J names and keys.
public enum HFGPTJConverter {
    /// Legacy buffers old GPT-J checkpoints carry (causal mask, masking constant); not weights.
    static let ignoredSuffixes = [".attn.bias", ".attn.masked_bias"]

    public static func convert(directory dir: String, output: String, type: GGMLType,
                               progress: ((Int, Int) -> Void)? = nil) throws {
        func path(_ name: String) -> String { (dir as NSString).appendingPathComponent(name) }
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDir), isDir.boolValue else {
            throw ConversionError.missingFile(path: dir, what: "expected a Hugging Face model directory")
        }
        let config = try HFGPTJConfig(path: path("config.json"))
        let vocab = try HFTokenizerFiles(directory: dir)
        guard vocab.tokens.count <= config.vocabSize else {
            throw ConversionError.badConfig(path: path("config.json"), reason: "vocab_size \(config.vocabSize) is smaller than the tokenizer (\(vocab.tokens.count) tokens)")
        }
        var sources: [String: SourceTensor] = [:]
        for t in try CheckpointLoader.readTensors(path: dir) {
            if ignoredSuffixes.contains(where: { t.name.hasSuffix($0) }) { continue }
            sources[t.name] = t
        }

        let writer = GGUFWriter(path: output)
        let arch = GPTJTensorName.architecture
        writer.set(GGUFKey.architecture, .string(arch))
        writer.set(GGUFKey.name, .string((dir as NSString).lastPathComponent))
        writer.set(GGUFKey.fileType, .uint32(type.fileType))
        writer.set(GGUFKey.quantizationVersion, .uint32(2))
        writer.set(GGUFKey.contextLength(arch), .uint32(UInt32(config.nPositions)))
        writer.set(GGUFKey.embeddingLength(arch), .uint32(UInt32(config.nEmbd)))
        writer.set(GGUFKey.blockCount(arch), .uint32(UInt32(config.nLayer)))
        writer.set(GGUFKey.feedForwardLength(arch), .uint32(UInt32(config.nInner)))
        writer.set(GGUFKey.ropeDimensionCount(arch), .uint32(UInt32(config.rotaryDim)))
        writer.set(GGUFKey.headCount(arch), .uint32(UInt32(config.nHead)))
        writer.set(GGUFKey.layerNormEpsilon(arch), .float32(Float(config.layerNormEpsilon)))
        vocab.addMetadata(to: writer, bos: config.bosTokenID, eos: config.eosTokenID)

        // (source name, GGUF name, expected shape)
        var plan: [(String, String, [Int])] = []
        let d = config.nEmbd, ff = config.nInner, v = config.vocabSize
        typealias N = GPTJTensorName
        plan.append(("transformer.wte.weight", N.tokenEmbedding, [v, d]))
        for i in 0..<config.nLayer {
            let p = "transformer.h.\(i)."
            plan += [
                (p + "ln_1.weight", N.attnNormWeight(i), [d]),
                (p + "ln_1.bias", N.attnNormBias(i), [d]),
                (p + "attn.q_proj.weight", N.attnQ(i), [d, d]),
                (p + "attn.k_proj.weight", N.attnK(i), [d, d]),
                (p + "attn.v_proj.weight", N.attnV(i), [d, d]),
                (p + "attn.out_proj.weight", N.attnOutput(i), [d, d]),
                (p + "mlp.fc_in.weight", N.ffnUpWeight(i), [ff, d]),
                (p + "mlp.fc_in.bias", N.ffnUpBias(i), [ff]),
                (p + "mlp.fc_out.weight", N.ffnDownWeight(i), [d, ff]),
                (p + "mlp.fc_out.bias", N.ffnDownBias(i), [d]),
            ]
        }
        plan += [
            ("transformer.ln_f.weight", N.outputNormWeight, [d]),
            ("transformer.ln_f.bias", N.outputNormBias, [d]),
            ("lm_head.weight", N.outputWeight, [v, d]),
            ("lm_head.bias", N.outputBias, [v]),
        ]
        let planned = Set(plan.map { $0.0 })
        if let extra = sources.keys.sorted().first(where: { !planned.contains($0) }) {
            throw ConversionError.unexpectedTensor(path: dir, tensor: extra)
        }
        for (srcName, ggufName, shape) in plan {
            guard let src = sources[srcName] else { throw ConversionError.missingWeight(path: dir, tensor: srcName) }
            guard src.shape == shape else {
                throw ConversionError.wrongShape(path: src.file.path, tensor: srcName, expected: shape, found: src.shape)
            }
            guard TensorEncoding.sourceGGMLType(src.dtype) != nil else {
                throw ConversionError.unsupportedDType(path: src.file.path, tensor: srcName, dtype: src.dtype.rawValue)
            }
            let storage = TensorEncoding.storageType(shape: shape, requested: type)
            try writer.add(.init(name: ggufName, type: storage, shape: shape) { out in
                try TensorEncoding.write(src, as: storage, to: out)
                src.file.release(src.data)
            })
        }
        try writer.write(progress: progress)
    }
}
