import Foundation
import GGUF
import TensorCore
import Testing
import TestSupport

/// Files written by gguf-py (llama.cpp's Python writer) read back exactly as GGUFReader reports them.
struct GGUFReaderTests {
    static let typeNames: [String: String] = [
        "UINT8": "uint8", "INT8": "int8", "UINT16": "uint16", "INT16": "int16", "UINT32": "uint32", "INT32": "int32",
        "FLOAT32": "float32", "BOOL": "bool", "STRING": "string", "ARRAY": "array", "UINT64": "uint64",
        "INT64": "int64", "FLOAT64": "float64",
    ]

    @Test(arguments: [0, 1])
    func matchesGGUFPyExpectations(fileIndex: Int) throws {
        let expected = try #require(try Fixtures.json("gguf/tiny-gguf-py.expected.json") as? [String: Any])
        let files = try #require(expected["files"] as? [[String: Any]])
        let e = files[fileIndex]
        let g = try GGUFFile(path: Fixtures.path("gguf/\(e["file"] as? String ?? "")"))
        #expect(Int(g.version) == e["version"] as? Int)
        #expect(g.alignment == e["alignment"] as? Int)
        #expect(g.fileSize == e["size_bytes"] as? Int)
        let meta = e["metadata"] as? [[String: Any]] ?? []
        #expect(g.metadata.count == meta.count)
        for (kv, m) in zip(g.metadata, meta) {
            #expect(kv.key == m["key"] as? String)
            #expect("\(kv.value.type)" == Self.typeNames[m["type"] as? String ?? ""])
            if let items = kv.value.arrayValue {
                #expect(items.count == m["length"] as? Int)
                let first = m["first"] as? [Any] ?? []
                for (v, f) in zip(items, first) {
                    if let s = f as? String { #expect(v.stringValue == s) } else { #expect(v.doubleValue == (f as? NSNumber)?.doubleValue) }
                }
            } else if let s = m["value"] as? String {
                #expect(kv.value.stringValue == s)
            } else {
                #expect(kv.value.doubleValue == (m["value"] as? NSNumber)?.doubleValue, "\(kv.key)")
            }
        }
        let tensors = e["tensors"] as? [[String: Any]] ?? []
        let dataOffset = e["data_offset"] as? Int ?? 0
        #expect(g.tensorInfos.count == tensors.count)
        for (info, t) in zip(g.tensorInfos, tensors) {
            #expect(info.name == t["name"] as? String)
            #expect(Int(info.type.rawValue) == t["type_id"] as? Int)
            #expect(info.shape == (t["shape"] as? [Int] ?? []).reversed(), "gguf-py lists dims innermost first")
            #expect(info.byteCount == t["n_bytes"] as? Int)
            #expect(info.offset == dataOffset + (t["offset"] as? Int ?? -1))
        }
    }

    @Test func tensorsAreViewsIntoTheMapping() throws {
        let g = try GGUFFile(path: Fixtures.path("gguf/tiny-gguf-py-f32.gguf"))
        let a = try g.tensor("token_embd.weight"), b = try g.tensor("token_embd.weight")
        #expect(a.data == b.data, "the same bytes, not copies")
        #expect(a.shape == [512, 64])
        #expect(a.type == .f32)
    }
}
