// safetensors: the 8-byte length, the JSON header (CheckpointJSON) and every tensor's offsets.
import Conversion
import FuzzSupport
import GGUF

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSafetensors(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    withTemporaryFile(fuzzInput(data, size), suffix: ".safetensors") { path in
        do {
            let file = try MappedFile(path: path)
            let contents = try SafetensorsReader.readContents(file: file)
            let whole = file.buffer
            for t in contents.tensors {
                // Views must lie inside the mapping; reading them all touches every byte.
                if let start = t.data.baseAddress, let base = whole.baseAddress {
                    invariant(start >= base && start + t.data.count <= base + whole.count,
                              "tensor '\(t.name)' view lies outside the file")
                }
                if t.data.count <= 1 << 20 { _ = try t.doubles() }
            }
        } catch { describe(error) }
    }
    return 0
}
