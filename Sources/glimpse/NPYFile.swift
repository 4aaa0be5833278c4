import Evaluation
import Foundation

/// Writes NumPy .npy files (format 1.0, little-endian float32, C order), atomically: a temporary file
/// renamed into place, so an interrupted run never leaves a half-written array.
enum NPYFile {
    static func write(_ values: [Float], shape: [Int], to path: String) throws {
        let dims = shape.map(String.init).joined(separator: ", ") + (shape.count == 1 ? "," : "")
        var header = "{'descr': '<f4', 'fortran_order': False, 'shape': (\(dims)), }"
        // magic(6) + version(2) + length(2) + header + '\n' must be a multiple of 64
        let unpadded = 10 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        var data = Data([0x93] + Array("NUMPY".utf8) + [1, 0])
        let n = UInt16(header.utf8.count)
        data.append(contentsOf: [UInt8(n & 0xFF), UInt8(n >> 8)])
        data.append(contentsOf: Array(header.utf8))
        values.withUnsafeBufferPointer { buf in
            data.append(UnsafeBufferPointer(start: UnsafeRawPointer(buf.baseAddress)?.assumingMemoryBound(to: UInt8.self), count: buf.count * 4))
        }
        try AtomicFile.write(data, to: path)
    }
}
