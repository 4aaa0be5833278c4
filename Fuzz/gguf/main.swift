// GGUF reader: header, every metadata value, and the tensor table, which GGUFFile promises to have
// checked (type, shape, alignment, bounds) so that views into the mapping can be trusted afterwards.
import FuzzSupport
import GGUF
import TensorCore

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzGGUF(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    withTemporaryFile(fuzzInput(data, size), suffix: ".gguf") { path in
        let file: GGUFFile
        do { file = try GGUFFile(path: path) } catch { describe(error); return }
        for (key, _) in file.metadata {
            // Typed accessors as model loaders call them; the wrong type must throw, not trap.
            for read in [{ _ = try file.int(key) }, { _ = try file.double(key) },
                         { _ = try file.string(key) }, { _ = try file.strings(key) }] as [() throws -> Void] {
                do { try read() } catch { describe(error) }
            }
        }
        var decoded = 0
        for info in file.tensorInfos {
            let view: TensorView
            do { view = try file.tensor(info.name, shape: info.shape, types: [info.type]) } catch {
                invariant(false, "tensor '\(info.name)' is listed but does not open: \(error)")
                return
            }
            invariant(info.offset >= 0 && info.byteCount <= file.fileSize - info.offset,
                      "tensor '\(info.name)' lies outside the file")
            invariant(view.rows * view.rowBytes == view.byteCount, "tensor '\(info.name)' rows do not fill its bytes")
            // Decode the first and last rows (any view outside the mapping faults), bounded per input.
            guard view.elementCount > 0, decoded < 1 << 16 else { continue }
            var row = [Float](repeating: 0, count: view.cols)
            row.withUnsafeMutableBufferPointer { out in
                guard let base = out.baseAddress else { return }
                view.decodeRow(0, into: base)
                view.decodeRow(view.rows - 1, into: base)
            }
            decoded += 2 * view.cols
        }
    }
    return 0
}
