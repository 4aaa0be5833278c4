#if canImport(GGUF)
import GGUF
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Picks the right reader for a checkpoint path: a model directory, a sharded index
/// (`*.index.json`), a .safetensors file or a torch.save file (detected by content, not name).
public enum CheckpointLoader {
    /// File names tried, in order, when `path` is a directory (HF layout; safetensors preferred).
    public static let directoryCandidates = [
        "model.safetensors.index.json", "model.safetensors",
        "pytorch_model.bin.index.json", "pytorch_model.bin",
    ]

    /// Reads all tensors of the checkpoint at `path`.
    public static func readTensors(path: String) throws -> [SourceTensor] {
        if isDirectory(path) {
            let dir = path.hasSuffix("/") ? path : path + "/"
            guard let name = directoryCandidates.first(where: { access(dir + $0, F_OK) == 0 }) else {
                throw CheckpointError.cannotOpen(file: path, reason: "no \(directoryCandidates.joined(separator: ", ")) in directory")
            }
            return try readTensors(path: dir + name)
        }
        if path.hasSuffix(".index.json") {
            let index = try CheckpointIndex.load(path: path)
            return try index.readShards { try readFile(path: $0) }
        }
        return try readFile(path: path)
    }

    /// Reads one (unsharded) checkpoint file, choosing the format from its first bytes.
    public static func readFile(path: String) throws -> [SourceTensor] {
        let file = try openCheckpointFile(path)
        let head = CheckpointBytes(file.buffer)
        // torch.save zip starts with "PK"; a legacy torch pickle with PROTO (0x80); safetensors
        // with an 8-byte header length followed by '{'.
        // safetensors first: its header length is arbitrary, so byte 0 may well be 0x80
        if head.u8(8) == UInt8(ascii: "{") || (path.hasSuffix(".safetensors") && head.u16(0) != 0x4B50) {
            return try SafetensorsReader.read(file: file)
        }
        if head.u16(0) == 0x4B50 || head.u8(0) == 0x80 {
            return try TorchCheckpointReader.read(file: file)
        }
        if head.contains(offset: 257, length: 5), head.slice(257, 5).map({ Array($0) }) == Array("ustar".utf8) {
            throw CheckpointError.legacyTorchFormat(file: path)
        }
        throw CheckpointError.unsupported(file: path, reason: "unrecognized checkpoint format (expected safetensors or torch.save zip)")
    }

    private static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }
}
