// Zip reader (EOCD search, ZIP64 locator/record/extra fields, central directory, local headers),
// then the torch.save reader on top of it, as `glimpse convert` reads a .pt/.bin file.
import Conversion
import FuzzSupport
import GGUF

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzZip(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    withTemporaryFile(fuzzInput(data, size), suffix: ".zip") { path in
        do {
            let file = try MappedFile(path: path)
            let archive = try ZipArchive(file: file)
            for entry in archive.entries {
                invariant(archive.entry(named: entry.name) != nil, "entry '\(entry.name)' is listed but not found by name")
                let bytes: UnsafeRawBufferPointer
                do { bytes = try archive.data(of: entry) } catch { describe(error); continue }
                if let start = bytes.baseAddress, let base = file.buffer.baseAddress {
                    invariant(start >= base && start + bytes.count <= base + file.size,
                              "entry '\(entry.name)' data lies outside the file")
                }
                var sum: UInt8 = 0
                for b in bytes { sum &+= b }  // touch every byte of the view
                _ = sum
            }
            for t in try TorchCheckpointReader.read(file: file) where t.data.count <= 1 << 20 {
                _ = try t.doubles()
            }
        } catch { describe(error) }
    }
    return 0
}
