import GGUF
import TensorCore

/// `glimpse quantize`: rewrites a GGUF file with its matrices in another type. Metadata is kept
/// (file type updated); 1-D tensors stay as they are. Matrices go through f32 one row slice at a time.
public enum GGUFRequantizer {
    public static func requantize(input: String, output: String, type: GGMLType,
                                  progress: ((Int, Int) -> Void)? = nil) throws {
        let src = try GGUFFile(path: input)
        let writer = GGUFWriter(path: output, alignment: src.alignment)
        for (key, value) in src.metadata where key != GGUFKey.alignment {
            writer.set(key, value)
        }
        writer.set(GGUFKey.fileType, .uint32(type.fileType))
        for info in src.tensorInfos {
            let view = try src.tensor(info.name)
            let storage = info.shape.count >= 2 ? TensorEncoding.storageType(shape: info.shape, requested: type) : info.type
            try writer.add(.init(name: info.name, type: storage, shape: info.shape) { out in
                if storage == view.type {
                    try out.write(UnsafeRawBufferPointer(start: view.data, count: view.byteCount))
                    return
                }
                let cols = view.cols, group = storage.rowGroup  // rows a group at a time
                let outBytes = (storage.byteCount(elements: cols) ?? 0) * group
                let rows = UnsafeMutablePointer<Float>.allocate(capacity: cols * group)
                var encoded = [UInt8](repeating: 0, count: outBytes)
                defer { rows.deallocate() }
                for r in stride(from: 0, to: view.rows, by: group) {
                    view.type.decode(view.data, cols: cols, rows: r..<(r + group), into: rows)
                    try encoded.withUnsafeMutableBytes { dst in
                        guard let d = dst.baseAddress else { return }
                        storage.encode(rows, rows: group, cols: cols, into: d)
                        try out.write(UnsafeRawBufferPointer(dst))
                    }
                }
            })
        }
        try writer.write(progress: progress)
    }
}
