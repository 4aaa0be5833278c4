import Foundation
import Testing
@testable import Conversion
#if canImport(GGUF)
import GGUF  // MappedFile lives in GGUF in the main package
#endif

/// Pickle streams built by hand or produced by CPython's pickle.dumps (never loaded by Python).
@Suite struct RestrictedUnpicklerTests {
    func load(_ bytes: [UInt8], limits: RestrictedUnpickler.Limits = .init()) throws -> UnpickledObject {
        try bytes.withUnsafeBytes { try RestrictedUnpickler(bytes: $0, fileName: "data.pkl", limits: limits).load() }
    }

    func u(_ s: String) -> [UInt8] { Array(s.utf8) }

    /// Python-repr-like rendering of an unpickled value, for compact assertions.
    func render(_ v: PickleValue, _ heap: PickleHeap) -> String {
        switch v {
        case .none: return "None"
        case .bool(let b): return b ? "True" : "False"
        case .int(let i): return String(i)
        case .float(let d): return String(d)
        case .string(let s): return "'\(s)'"
        case .bytes(let b): return "b\(b.count)"
        case .tuple(let i):
            let items = heap.tuples[i].map { render($0, heap) }
            return items.count == 1 ? "(\(items[0]),)" : "(" + items.joined(separator: ", ") + ")"
        case .list(let i): return "[" + heap.lists[i].map { render($0, heap) }.joined(separator: ", ") + "]"
        case .dict(let i):
            return "{" + heap.dicts[i].entries.map { render($0.key, heap) + ": " + render($0.value, heap) }.joined(separator: ", ") + "}"
        case .global(let g): return g.qualifiedName
        case .storage(let i): return "storage(\(heap.storages[i].key))"
        case .tensor(let i): return "tensor(\(heap.tensors[i].shape))"
        }
    }

    static let expectedRender = "{'ints': [0, 255, 65535, -1, 2147483647, -2147483648, 1099511627776, -9223372036854775808, "
        + "9223372036854775807], 'floats': (3.5, -0.1), 'misc': [None, True, False, 'h\u{e9}llo', (), (1,), (1, 2), (1, 2, 3), "
        + "(1, 2, 3, 4)], 'od': {'z': 1, 'a': 2}}"

    @Test func protocol2FromCPython() throws {
        let p2 = "80027d7100285804000000696e747371015d7102284b004bff4dffff4affffffff4affffff7f4a000000808a060000000000018a08000000000000"
            + "00808a08ffffffffffffff7f655806000000666c6f617473710347400c00000000000047bfb999999999999a86710458040000006d69736371055d71"
            + "06284e8889580600000068c3a96c6c6f7107294b018571084b014b028671094b014b024b0387710a284b014b024b034b0474710b6558020000006f"
            + "64710c63636f6c6c656374696f6e730a4f726465726564446963740a710d2952710e2858010000007a710f4b0158010000006171104b0275752e"
        let object = try load(CheckpointFixtures.bytes(hex: p2))
        #expect(render(object.root, object.heap) == Self.expectedRender)
    }

    @Test func protocol4FromCPython() throws {
        let p4 = "800495c8000000000000007d94288c04696e7473945d94284b004bff4dffff4affffffff4affffff7f4a000000808a060000000000018a080000"
            + "0000000000808a08ffffffffffffff7f658c06666c6f6174739447400c00000000000047bfb999999999999a86948c046d697363945d94284e8889"
            + "8c0668c3a96c6c6f94294b0185944b014b0286944b014b024b038794284b014b024b034b047494658c026f64948c0b636f6c6c656374696f6e7394"
            + "8c0b4f72646572656444696374949394295294288c017a944b018c0161944b0275752e"
        let object = try load(CheckpointFixtures.bytes(hex: p4))
        #expect(render(object.root, object.heap) == Self.expectedRender)
    }

    @Test func bytesAndIntKeysProtocol5() throws {
        // pickle.dumps({'b': b'xyz', 'big': b'q'*300, 'd': {1: 'one', 2: 'two'}}, protocol=5)
        let p5 = "8005955f010000000000007d94288c016294430378797a948c0362696794422c010000" + String(repeating: "71", count: 300)
            + "948c0164947d94284b018c036f6e65944b028c0374776f9475752e"
        let object = try load(CheckpointFixtures.bytes(hex: p5))
        #expect(render(object.root, object.heap) == "{'b': b3, 'big': b300, 'd': {1: 'one', 2: 'two'}}")
    }

    @Test func eightByteLengthsMemoAndStackOps() throws {
        var p: [UInt8] = [0x80, 0x04, 0x8D] + withUnsafeBytes(of: UInt64(3).littleEndian, Array.init) + u("abc")
        p += [0x72, 7, 0, 0, 0]  // LONG_BINPUT 7
        p += [0x8E] + withUnsafeBytes(of: UInt64(2).littleEndian, Array.init) + [9, 8]  // BINBYTES8
        p += [0x30]  // POP
        p += [0x28, 0x4E, 0x4E, 0x31]  // MARK NONE NONE POP_MARK
        p += [0x28, 0x6A, 7, 0, 0, 0, 0x32, 0x6C]  // MARK LONG_BINGET 7, DUP, LIST
        p += [0x28, 0x4B, 1, 0x4B, 2, 0x64]  // MARK 1 2 DICT
        p += [0x86, 0x2E]  // TUPLE2 STOP
        let object = try load(p)
        #expect(render(object.root, object.heap) == "(['abc', 'abc'], {1: 2})")
    }

    @Test(arguments: [
        ("os", "system"), ("builtins", "eval"), ("subprocess", "Popen"), ("posix", "system"),
        ("__builtin__", "getattr"), ("builtins", "exec"), ("torch", "load"), ("torch._utils", "_rebuild_from_type_v2"),
        ("collections", "OrderedDict.__init__"), ("numpy.core.multiarray", "_reconstruct"),
    ])
    func forbiddenGlobals(module: String, name: String) throws {
        let viaGlobal: [UInt8] = [0x80, 0x02, 0x63] + u("\(module)\n\(name)\n") + [0x29, 0x52, 0x2E]
        let e1 = CheckpointFixtures.error { _ = try load(viaGlobal) }
        guard case .forbiddenGlobal(_, let g1) = e1 else { Issue.record("GLOBAL: \(String(describing: e1))"); return }
        #expect(g1 == "\(module).\(name)")

        let viaStack: [UInt8] = [0x80, 0x04, 0x8C, UInt8(module.utf8.count)] + u(module) + [0x8C, UInt8(name.utf8.count)] + u(name)
            + [0x93, 0x29, 0x52, 0x2E]
        let e2 = CheckpointFixtures.error { _ = try load(viaStack) }
        guard case .forbiddenGlobal(_, let g2) = e2 else { Issue.record("STACK_GLOBAL: \(String(describing: e2))"); return }
        #expect(g2 == "\(module).\(name)")
        #expect(e2?.description == "data.pkl: pickle refers to forbidden global '\(module).\(name)'")
    }

    @Test func unknownOpcodes() {
        // INT (protocol 0), PERSID (text), EXT1 and a byte that is no opcode at all.
        for (op, at) in [(UInt8(0x49), 2), (0x50, 2), (0x82, 2), (0xFF, 2)] {
            let bytes: [UInt8] = [0x80, 0x02, op, 0x2E]
            let e = CheckpointFixtures.error { _ = try load(bytes) }
            guard case .unknownOpcode(_, let got, let offset) = e else { Issue.record("\(String(describing: e))"); continue }
            #expect(got == op && offset == at)
        }
        #expect(CheckpointError.unknownOpcode(file: "a/data.pkl", opcode: 0x0A, offset: 3).description
            == "data.pkl: unsupported pickle opcode 0x0a at offset 3")
    }

    /// NEWOBJ exists only for TorchScript module classes; on anything else it is refused, and a
    /// TorchScript object never runs code: it is a dict of the attributes BUILD gives it.
    @Test func newObjectOnlyForTorchScriptClasses() throws {
        let u = { (s: String) in Array(s.utf8) }
        let onTuple: [UInt8] = [0x80, 0x02, 0x29, 0x29, 0x81, 0x2E]
        guard case .invalidPickle = CheckpointFixtures.error({ _ = try load(onTuple) }) else {
            Issue.record("NEWOBJ on a tuple was not refused"); return
        }
        // __torch__.m.C() with BUILD {'x': 1}: a dict {'x': 1}
        let object: [UInt8] = [0x80, 0x02, 0x63] + u("__torch__.m\nC\n") + [0x29, 0x81, 0x7D, 0x58, 1, 0, 0, 0] + u("x")
            + [0x4B, 1, 0x73, 0x62, 0x2E]
        let result = try load(object)
        guard case .dict(let i) = result.root else { Issue.record("not a dict: \(result.root)"); return }
        #expect(result.heap.dicts[i].entries.map(\.key) == [.string("x")])
    }

    /// Hostile nesting shapes, named so test output stays short.
    static let deepBodies: [String: [UInt8]] = [
        "100k MARKs": [UInt8](repeating: 0x28, count: 100_000),
        "list in list x100k": [UInt8](repeating: 0x5D, count: 100_000) + [UInt8](repeating: 0x61, count: 99_999),
        "TUPLE1 chain x100k": [0x5D] + [UInt8](repeating: 0x85, count: 100_000),
        "dict in dict x50k": [0x7D] + [0x4E, 0x7D].repeated(50_000) + [0x73].repeated(50_000),
    ]

    @Test(arguments: deepBodies.keys.sorted())
    func deepNestingHitsALimit(shape: String) throws {
        let body = try #require(Self.deepBodies[shape])
        let e = CheckpointFixtures.error { _ = try load([0x80, 0x02] + body + [0x2E]) }
        guard case .pickleLimit = e else { Issue.record("\(String(describing: e))"); return }
    }

    @Test func stackAndMemoLimits() {
        var limits = RestrictedUnpickler.Limits()
        limits.maxStack = 10
        limits.maxMemo = 3
        guard case .pickleLimit = CheckpointFixtures.error({ _ = try load([UInt8](repeating: 0x4E, count: 11) + [0x2E], limits: limits) }) else {
            Issue.record("stack limit"); return
        }
        guard case .pickleLimit = CheckpointFixtures.error({ _ = try load([0x4E, 0x94, 0x94, 0x94, 0x94, 0x2E], limits: limits) }) else {
            Issue.record("memo limit"); return
        }
        // Re-using one memo slot many times is fine.
        #expect((try? load([0x4E] + Array([0x71, 0x00].repeated(100)) + [0x2E], limits: limits)) != nil)
    }

    @Test(arguments: [
        [0x80, 0x02, 0x61, 0x2E],  // APPEND on empty stack
        [0x5D, 0x28, 0x61, 0x2E],  // APPEND reaching below a MARK
        [0x80, 0x02, 0x4E],  // no STOP
        [0x58, 0xFF, 0xFF, 0xFF, 0x7F],  // string longer than the pickle
        [0x4B],  // operand missing
        [0x68, 0x05, 0x2E],  // BINGET of undefined memo key
        [0x4E, 0x4E, 0x61, 0x2E],  // APPEND to None
        [0x7D, 0x4E, 0x61, 0x2E],  // APPEND to a dict
        [0x5D, 0x4E, 0x4E, 0x73, 0x2E],  // SETITEM on a list
        [0x80, 0x06, 0x4E, 0x2E],  // protocol 6
        [0x4E, 0x29, 0x52, 0x2E],  // REDUCE on None
        [0x63] + Array("collections\nOrderedDict\n".utf8) + [0x4B, 0x01, 0x85, 0x52, 0x2E],  // OrderedDict(1)
        [0x63] + Array("torch\nFloatStorage\n".utf8) + [0x29, 0x52, 0x2E],  // storage class called
        [0x5D, 0x7D, 0x62, 0x2E],  // BUILD on a list
        [0x8A, 0x09, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0x2E],  // 9-byte LONG1
        [0x4E, 0x51, 0x2E],  // persistent id that is not a tuple
        [0x63] + Array(String(repeating: "a", count: 300).utf8),  // overlong GLOBAL line
    ])
    func malformedPickles(bytes: [UInt8]) {
        let e = CheckpointFixtures.error { _ = try load(bytes) }
        guard case .invalidPickle = e else { Issue.record("\(String(describing: e))"); return }
    }

    @Test func selfReferenceDoesNotHang() throws {
        // d = {}; d['a'] = d  -> flattening visits each container once.
        let object = try load([0x7D, 0x71, 0x00, 0x58, 1, 0, 0, 0, 0x61, 0x68, 0x00, 0x73, 0x2E])
        #expect(try TorchCheckpointReader.flatten(object, path: "x").isEmpty)
    }

    @Test func rebuildTensorV3IsRefusedClearly() {
        let e = CheckpointFixtures.error { _ = try load([0x63] + u("torch._utils\n_rebuild_tensor_v3\n") + [0x2E]) }
        guard case .unsupported = e else { Issue.record("\(String(describing: e))"); return }
    }
}

extension Array {
    fileprivate func repeated(_ n: Int) -> [Element] { Array((0..<n).map { _ in self }.joined()) }
}
