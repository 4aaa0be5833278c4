// Restricted unpickler, twice per input: on the bytes as a bare pickle, then (when they unpickle) as
// the data.pkl of a torch.save / TorchScript archive whose storages are built from the pickle's own
// persistent ids, so the flattening of the state dict and the tensor checks run on fuzzed pickles.
import Conversion
import FuzzSupport

/// Storage entries made for one archive: enough for real checkpoints' first tensors, bounded per input.
let maxStorages = 64
let maxStorageBytes = 1 << 16

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzUnpickler(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let pickle = fuzzInput(data, size)
    let object: UnpickledObject
    do {
        object = try RestrictedUnpickler(bytes: pickle, fileName: "data.pkl").load()
    } catch {
        describe(error)
        return 0
    }
    let heap = object.heap
    for t in heap.tensors {
        invariant(t.shape.count == t.stride.count && t.shape.allSatisfy { $0 >= 0 } && t.storageOffset >= 0,
                  "tensor reference with inconsistent metadata")
    }

    var entries: [(name: String, data: [UInt8])] = [
        ("archive/data.pkl", Array(pickle)),
        ("archive/byteorder", Array("little".utf8)),
        ("archive/version", Array("3\n".utf8)),
    ]
    var keys = Set<String>()
    for s in heap.storages where keys.count < maxStorages && keys.insert(s.key).inserted {
        // The declared size, except every third storage is one element short (storage_too_small).
        let (declared, overflow) = s.elementCount.multipliedReportingOverflow(by: s.dtype.elementSize)
        var bytes = overflow ? maxStorageBytes : min(declared, maxStorageBytes)
        if keys.count % 3 == 0 { bytes = max(0, bytes - s.dtype.elementSize) }
        entries.append(("archive/data/" + s.key, (0..<bytes).map { UInt8(truncatingIfNeeded: $0 &* 31) }))
    }
    let zip = storedZip(entries)
    zip.withUnsafeBytes { bytes in
        withTemporaryFile(bytes, suffix: ".pt") { path in
            do {
                for t in try TorchCheckpointReader.read(path: path) where t.data.count <= 1 << 20 {
                    _ = try t.doubles()
                }
            } catch { describe(error) }
        }
    }
    return 0
}
