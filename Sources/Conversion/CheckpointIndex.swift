#if canImport(GGUF)
import GGUF
#endif

/// Maps a file, turning MappedFile's failure into a CheckpointError.
func openCheckpointFile(_ path: String) throws -> MappedFile {
    do {
        return try MappedFile(path: path)
    } catch let failure as MappedFile.Failure {
        throw CheckpointError.cannotOpen(file: path, reason: "\(failure)")
    }
}

/// A sharded-checkpoint index (`model.safetensors.index.json` or `pytorch_model.bin.index.json`):
/// `{"metadata": {...}, "weight_map": {"tensor name": "shard file name", ...}}`.
public struct CheckpointIndex: Sendable {
    /// Path of the index file; shard names are relative to its directory.
    public let path: String
    /// Tensor name -> shard file name, in index order.
    public let weightMap: [(tensor: String, shard: String)]
    /// Distinct shard file names, sorted (HF names them model-00001-of-0000N...).
    public let shards: [String]

    /// Parses and validates an index file (JSON object with a string-to-string "weight_map").
    public static func load(path: String) throws -> CheckpointIndex {
        let file = try openCheckpointFile(path)
        guard file.size <= SafetensorsReader.maxHeaderSize else {
            throw CheckpointError.invalidHeader(file: path, reason: "index file is larger than \(SafetensorsReader.maxHeaderSize) bytes")
        }
        let json: CheckpointJSON
        do {
            json = try CheckpointJSON.parse(file.buffer)
        } catch let e as CheckpointJSON.ParseError {
            throw CheckpointError.invalidHeader(file: path, reason: e.reason)
        }
        guard let members = json["weight_map"]?.objectMembers else {
            throw CheckpointError.invalidHeader(file: path, reason: "missing \"weight_map\" object")
        }
        var map: [(tensor: String, shard: String)] = []
        var seen = Set<String>()
        var shardSet = Set<String>()
        for (tensor, value) in members {
            guard let shard = value.stringValue else {
                throw CheckpointError.invalidHeader(file: path, reason: "weight_map value for '\(tensor)' is not a string")
            }
            guard isSafeRelativeName(shard) else {
                throw CheckpointError.invalidHeader(file: path, reason: "shard name '\(shard)' is not a plain relative path")
            }
            guard seen.insert(tensor).inserted else { throw CheckpointError.duplicateTensor(file: path, tensor: tensor) }
            map.append((tensor, shard))
            shardSet.insert(shard)
        }
        return CheckpointIndex(path: path, weightMap: map, shards: shardSet.sorted())
    }

    /// Full path of a shard (the index's directory + the shard name).
    public func shardPath(_ shard: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return shard }
        return String(path[...slash]) + shard
    }

    /// Reads each shard once with `reader`, checks that every indexed tensor is in its shard,
    /// and returns all tensors (shard order, then file order).
    func readShards(_ reader: (String) throws -> [SourceTensor]) throws -> [SourceTensor] {
        var expected: [String: [String]] = [:]
        for (tensor, shard) in weightMap { expected[shard, default: []].append(tensor) }
        var all: [SourceTensor] = []
        var names = Set<String>()
        for shard in shards {
            let tensors = try reader(shardPath(shard))
            let present = Set(tensors.map(\.name))
            for tensor in expected[shard] ?? [] where !present.contains(tensor) {
                throw CheckpointError.missingTensor(file: path, tensor: tensor, shard: shard)
            }
            for t in tensors {
                guard names.insert(t.name).inserted else { throw CheckpointError.duplicateTensor(file: path, tensor: t.name) }
                all.append(t)
            }
        }
        return all
    }

    /// Refuses absolute paths and ".." so an index cannot point outside its directory.
    private static func isSafeRelativeName(_ name: String) -> Bool {
        guard !name.isEmpty, !name.hasPrefix("/"), !name.contains("\0") else { return false }
        return !name.split(separator: "/", omittingEmptySubsequences: false).contains("..")
    }
}
