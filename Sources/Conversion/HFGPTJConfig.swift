import Foundation

/// The fields of a Hugging Face GPT-J config.json that the converter needs (GPTJConfig's names).
struct HFGPTJConfig {
    var vocabSize: Int
    var nPositions: Int
    var nEmbd: Int
    var nLayer: Int
    var nHead: Int
    var rotaryDim: Int
    var nInner: Int
    var layerNormEpsilon: Double
    var bosTokenID: Int?
    var eosTokenID: Int?

    init(path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConversionError.missingFile(path: path, what: "config.json is required")
        }
        guard let obj = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw ConversionError.badConfig(path: path, reason: "not a JSON object")
        }
        let modelType = obj["model_type"] as? String ?? "?"
        let archs = obj["architectures"] as? [String] ?? []
        guard modelType == "gptj" || archs.contains("GPTJForCausalLM") else {
            throw ConversionError.unsupportedArchitecture(path: path, found: modelType == "?" ? (archs.first ?? "unknown") : modelType)
        }
        func int(_ key: String, default d: Int? = nil) throws -> Int {
            if let v = obj[key] as? Int { return v }
            if let v = obj[key] as? Double, v == v.rounded() { return Int(v) }
            if let d, obj[key] == nil || obj[key] is NSNull { return d }
            throw ConversionError.badConfig(path: path, reason: "'\(key)' is missing or not an integer")
        }
        vocabSize = try int("vocab_size")
        nPositions = try int("n_positions")
        nEmbd = try int("n_embd")
        nLayer = try int("n_layer")
        nHead = try int("n_head")
        rotaryDim = try int("rotary_dim", default: nEmbd / max(1, nHead))
        nInner = try int("n_inner", default: 4 * nEmbd)
        layerNormEpsilon = (obj["layer_norm_epsilon"] as? Double) ?? 1e-5
        bosTokenID = obj["bos_token_id"] as? Int
        eosTokenID = obj["eos_token_id"] as? Int
        guard vocabSize > 0, nPositions > 0, nEmbd > 0, nLayer > 0, nHead > 0, nInner > 0,
              nEmbd % nHead == 0, rotaryDim >= 0, rotaryDim <= nEmbd / nHead, rotaryDim % 2 == 0 else {
            throw ConversionError.badConfig(path: path, reason: "inconsistent sizes (n_embd \(nEmbd), n_head \(nHead), rotary_dim \(rotaryDim), n_inner \(nInner))")
        }
    }
}
