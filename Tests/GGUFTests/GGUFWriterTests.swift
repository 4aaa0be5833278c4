import Foundation
import GGUF
import TensorCore
import Testing
import TestSupport

/// The writer's output reads back identically, and the reader refuses lies about sizes.
struct GGUFWriterTests {
    @Test func roundTripsEveryValueTypeAndTensorType() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("all.gguf").path
        let w = GGUFWriter(path: path, alignment: 64)
        let values: [(String, GGUFValue)] = [
            ("u8", .uint8(200)), ("i8", .int8(-5)), ("u16", .uint16(60000)), ("i16", .int16(-300)),
            ("u32", .uint32(4_000_000_000)), ("i32", .int32(-7)), ("f32", .float32(1.5)), ("b", .bool(true)),
            ("s", .string("héllo ✓")), ("u64", .uint64(1 << 40)), ("i64", .int64(-(1 << 40))), ("f64", .float64(0.1)),
            ("arr", .array(.string, [.string("a"), .string("b c")])), ("empty", .array(.int32, [])),
            ("nested", .array(.array, [.array(.uint8, [.uint8(1)])])),
        ]
        for (k, v) in values { w.set(k, v) }
        let x: [Float] = (0..<512).map { i in Float(i % 128) / 7 - 9 + Float(i / 128) }
        func rows(_ type: GGMLType) -> Int { max(2, type.rowGroup) }
        for type in GGMLType.allCases {
            try w.add(.init(name: "t.\(type)", type: type, shape: [rows(type), 64]) { out in
                var bytes = [UInt8](repeating: 0, count: type.byteCount(elements: rows(type) * 64) ?? 0)
                type.encode(x, rows: rows(type), cols: 64, into: &bytes)
                try out.write(bytes)
            })
        }
        // Q4_0_X8 needs whole groups of 8 rows
        #expect(throws: GGUFError.self) { try w.add(.init(name: "partial", type: .q4_0x8, shape: [4, 64]) { _ in }) }
        #expect(throws: GGUFError.self) { try w.add(.init(name: "vector", type: .q4_0x8, shape: [256]) { _ in }) }
        try w.write()
        let g = try GGUFFile(path: path)
        #expect(g.alignment == 64)
        for (k, v) in values { #expect(g.value(k) == v, "\(k)") }
        for type in GGMLType.allCases {
            let t = try g.tensor("t.\(type)")
            #expect(t.type == type && t.shape == [rows(type), 64])
            #expect(Int(bitPattern: t.data) % 64 == 0, "tensor data is aligned")
            let back = t.floats()
            let tol: Float = type.ungrouped == .q4_0 ? 1.2 : (type.ungrouped == .q8_0 ? 0.1 : (type == .bf16 ? 0.07 : 0.01))
            #expect(back.count == rows(type) * 64)
            for i in 0..<back.count { #expect(abs(back[i] - x[i]) <= tol, "\(type)[\(i)]") }
        }
        #expect(!FileManager.default.fileExists(atPath: path + ".tmp-\(getpid())"))
    }

    func expectRejected(_ bytes: [UInt8], _ check: (GGUFError) -> Bool) throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("bad.gguf").path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        do {
            _ = try GGUFFile(path: path)
            Issue.record("accepted a bad file")
        } catch let e as GGUFError {
            #expect(check(e), "\(e)")
            #expect(e.description.hasPrefix(path))
        }
    }

    static func header(tensors: UInt64, kvs: UInt64) -> [UInt8] {
        var b: [UInt8] = Array("GGUF".utf8)
        withUnsafeBytes(of: UInt32(3).littleEndian) { b += $0 }
        withUnsafeBytes(of: tensors.littleEndian) { b += $0 }
        withUnsafeBytes(of: kvs.littleEndian) { b += $0 }
        return b
    }

    static func string(_ s: String) -> [UInt8] {
        var b: [UInt8] = []
        withUnsafeBytes(of: UInt64(s.utf8.count).littleEndian) { b += $0 }
        return b + Array(s.utf8)
    }

    @Test func refusesAbsurdLengths() throws {
        // a metadata array claiming 2^40 items
        var arr = Self.header(tensors: 0, kvs: 1) + Self.string("k")
        withUnsafeBytes(of: UInt32(9).littleEndian) { arr += $0 }
        withUnsafeBytes(of: UInt32(4).littleEndian) { arr += $0 }
        withUnsafeBytes(of: (UInt64(1) << 40).littleEndian) { arr += $0 }
        try expectRejected(arr) { if case .truncated = $0 { return true }; return false }
        // a string whose length runs past the end of the file
        var str = Self.header(tensors: 0, kvs: 1)
        withUnsafeBytes(of: UInt64(1 << 50).littleEndian) { str += $0 }
        try expectRejected(str) { if case .truncated = $0 { return true }; return false }
        // a tensor claiming 2^62 elements
        var big = Self.header(tensors: 1, kvs: 0) + Self.string("t")
        withUnsafeBytes(of: UInt32(2).littleEndian) { big += $0 }
        withUnsafeBytes(of: UInt64(1 << 31).littleEndian) { big += $0 }
        withUnsafeBytes(of: UInt64(1 << 31).littleEndian) { big += $0 }
        withUnsafeBytes(of: UInt32(0).littleEndian) { big += $0 }
        withUnsafeBytes(of: UInt64(0).littleEndian) { big += $0 }
        try expectRejected(big + [UInt8](repeating: 0, count: 64)) { if case .malformed = $0 { return true }; return false }
        // counts larger than the file could hold
        try expectRejected(Self.header(tensors: 1 << 60, kvs: 0)) { if case .malformed = $0 { return true }; return false }
        // bad magic, empty file, header cut short
        try expectRejected(Array("GGML".utf8) + [0, 0, 0, 0]) { if case .notGGUF = $0 { return true }; return false }
        try expectRejected([]) { if case .notGGUF = $0 { return true }; return false }
        try expectRejected(Array(Self.header(tensors: 0, kvs: 1).prefix(14))) { if case .truncated = $0 { return true }; return false }
    }

    /// A Q4_0_X8 tensor whose rows do not fill its groups of 8 cannot be laid out: the reader refuses it.
    @Test func refusesQ4_0X8RowsOutsideWholeGroups() throws {
        func file(rows: UInt64) -> [UInt8] {
            var b = Self.header(tensors: 1, kvs: 0) + Self.string("t")
            withUnsafeBytes(of: UInt32(2).littleEndian) { b += $0 }
            withUnsafeBytes(of: UInt64(32).littleEndian) { b += $0 }    // columns
            withUnsafeBytes(of: rows.littleEndian) { b += $0 }
            withUnsafeBytes(of: GGMLType.q4_0x8.rawValue.littleEndian) { b += $0 }
            withUnsafeBytes(of: UInt64(0).littleEndian) { b += $0 }
            b += [UInt8](repeating: 0, count: (32 - b.count % 32) % 32)  // data starts aligned
            return b + [UInt8](repeating: 0, count: Int(rows) * 18)
        }
        try expectRejected(file(rows: 4)) { if case .malformed = $0 { return true }; return false }
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("ok.gguf").path
        try Data(file(rows: 16)).write(to: URL(fileURLWithPath: path))
        #expect(try GGUFFile(path: path).tensor("t").shape == [16, 32])
    }
}
