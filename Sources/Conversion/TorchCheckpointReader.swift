#if canImport(GGUF)
import GGUF
#endif

/// Reads `torch.save` checkpoints (the zip format of torch >= 1.6) without executing any pickle code.
///
/// Layout: `<prefix>/data.pkl` (the pickled state dict), `<prefix>/data/<key>` (raw storages),
/// `<prefix>/byteorder` ("little"), `<prefix>/version`. Tensors become views of their storage entry.
public enum TorchCheckpointReader {
    /// Reads the tensors of the checkpoint at `path`.
    public static func read(path: String) throws -> [SourceTensor] {
        try read(file: openCheckpointFile(path))
    }

    /// Reads the tensors of an already mapped checkpoint, in state-dict order.
    /// Nested dicts are flattened with "." (`{"model": {"w": t}}` -> "model.w").
    public static func read(file: MappedFile) throws -> [SourceTensor] {
        let path = file.path
        let head = CheckpointBytes(file.buffer)
        guard head.u16(0) == 0x4B50 else {  // "PK"
            // Pre-1.6 files are a bare pickle (starts with PROTO 0x80) or a tar archive.
            if head.u8(0) == 0x80 || (file.size > 262 && head.slice(257, 5).map { Array($0) } == Array("ustar".utf8)) {
                throw CheckpointError.legacyTorchFormat(file: path)
            }
            throw CheckpointError.unsupported(file: path, reason: "not a torch.save zip archive")
        }
        let archive = try ZipArchive(file: file)
        let prefix = try findPrefix(archive)
        if let order = archive.entry(named: prefix + "byteorder") {
            let text = String(decoding: try archive.data(of: order), as: UTF8.self)
            guard text.trimmingWhitespace() == "little" else {
                throw CheckpointError.unsupported(file: path, reason: "byte order '\(text)' is not little-endian")
            }
        }
        let pickle = try archive.data(named: prefix + "data.pkl")
        let object = try RestrictedUnpickler(bytes: pickle, fileName: path).load()
        let refs = try flatten(object, path: path)
        var seen = Set<String>()
        var tensors: [SourceTensor] = []
        for (name, ref) in refs {
            guard seen.insert(name).inserted else { throw CheckpointError.duplicateTensor(file: path, tensor: name) }
            tensors.append(try makeTensor(name: name, ref: ref, archive: archive, prefix: prefix))
        }
        return tensors
    }

    /// Reads every shard named in a `pytorch_model.bin.index.json`, each shard opened once.
    public static func readSharded(indexPath: String) throws -> [SourceTensor] {
        let index = try CheckpointIndex.load(path: indexPath)
        return try index.readShards { try read(path: $0) }
    }

    /// The single top-level folder holding `data.pkl` ("archive/" for torch.save("archive.pt");
    /// "" if a repacking tool put it at the root).
    static func findPrefix(_ archive: ZipArchive) throws -> String {
        let candidates = archive.entries.map(\.name).filter { name in
            name == "data.pkl" || (name.hasSuffix("/data.pkl") && name.firstIndex(of: "/") == name.lastIndex(of: "/"))
        }
        guard let first = candidates.first else {
            throw CheckpointError.missingEntry(file: archive.file.path, entry: "<archive>/data.pkl")
        }
        guard candidates.count == 1 else {
            throw CheckpointError.invalidZip(file: archive.file.path, reason: "several top-level data.pkl entries")
        }
        return String(first.dropLast("data.pkl".count))
    }

    /// Validates a tensor reference against its storage entry and returns the view of its bytes.
    static func makeTensor(name: String, ref: TorchTensorRef, archive: ZipArchive, prefix: String) throws -> SourceTensor {
        let path = archive.file.path
        let dtype = ref.storage.dtype
        let size = dtype.elementSize
        guard isContiguous(shape: ref.shape, stride: ref.stride) else {
            throw CheckpointError.nonContiguous(file: path, tensor: name, shape: ref.shape, stride: ref.stride)
        }
        let entryName = prefix + "data/" + ref.storage.key
        let storage = try archive.data(named: entryName)
        guard let storageBytes = CheckedMath.mul(ref.storage.elementCount, size), storageBytes <= storage.count else {
            throw CheckpointError.dataOutOfBounds(file: path, tensor: name,
                reason: "storage '\(ref.storage.key)' declares \(ref.storage.elementCount) elements but entry has \(storage.count) bytes")
        }
        guard let count = CheckedMath.byteCount(shape: ref.shape, elementSize: size) else {
            throw CheckpointError.unsupported(file: path, reason: "tensor '\(name)' shape \(ref.shape) overflows")
        }
        if count == 0 {
            return SourceTensor(name: name, dtype: dtype, shape: ref.shape,
                                data: UnsafeRawBufferPointer(rebasing: storage[0..<0]), file: archive.file)
        }
        guard let start = CheckedMath.mul(ref.storageOffset, size), let end = CheckedMath.add(start, count), end <= storageBytes else {
            throw CheckpointError.dataOutOfBounds(file: path, tensor: name,
                reason: "offset \(ref.storageOffset) + \(count / size) elements exceeds storage '\(ref.storage.key)' of \(ref.storage.elementCount)")
        }
        return SourceTensor(name: name, dtype: dtype, shape: ref.shape,
                            data: UnsafeRawBufferPointer(rebasing: storage[start..<end]), file: archive.file)
    }

    /// C-contiguity as torch defines it: size-1 dimensions may have any stride; empty tensors pass.
    static func isContiguous(shape: [Int], stride: [Int]) -> Bool {
        guard shape.count == stride.count else { return false }
        if shape.contains(0) { return true }
        var expected = 1
        for d in stride.indices.reversed() where shape[d] != 1 {
            guard stride[d] == expected, let next = CheckedMath.mul(expected, shape[d]) else { return false }
            expected = next
        }
        return true
    }
}

extension String {
    /// Drops leading/trailing ASCII whitespace (avoids needing Foundation for one call).
    fileprivate func trimmingWhitespace() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\n" || $0 == "\r" || $0 == "\t" }
        return String(drop(while: isSpace).reversed().drop(while: isSpace).reversed())
    }
}
