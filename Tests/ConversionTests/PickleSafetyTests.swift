import Foundation
import Testing
@testable import Conversion

/// Malicious pickles: code-execution payloads as CPython writes them, the object-building opcodes
/// that call classes, and resource attacks. Each must be refused with a CheckpointError before any
/// callable could run, and none may crash or exhaust the stack.
@Suite struct PickleSafetyTests {
    static let marker = "/tmp/glimpse-pwned"

    func load(_ bytes: [UInt8], limits: RestrictedUnpickler.Limits = .init()) throws -> UnpickledObject {
        try bytes.withUnsafeBytes { try RestrictedUnpickler(bytes: $0, fileName: "data.pkl", limits: limits).load() }
    }

    /// `pickle.dumps({"model": Evil()}, protocol=p)` in CPython 3, where Evil.__reduce__ returns
    /// `(os.system, ("touch /tmp/glimpse-pwned",))`: the classic malicious checkpoint.
    static let cpythonPayloads: [Int: String] = [
        0: "286470300a566d6f64656c0a70310a63706f7369780a73797374656d0a70320a2856746f756368202f746d702f676c696d7073652d70776e65640a70330a7470340a5270350a732e",
        1: "7d710058050000006d6f64656c710163706f7369780a73797374656d0a7102285818000000746f756368202f746d702f676c696d7073652d70776e65647103747104527105732e",
        2: "80027d710058050000006d6f64656c710163706f7369780a73797374656d0a71025818000000746f756368202f746d702f676c696d7073652d70776e65647103857104527105732e",
        3: "80037d710058050000006d6f64656c710163706f7369780a73797374656d0a71025818000000746f756368202f746d702f676c696d7073652d70776e65647103857104527105732e",
        4: "8004953e000000000000007d948c056d6f64656c948c05706f736978948c0673797374656d9493948c18746f756368202f746d702f676c696d7073652d70776e65649485945294732e",
        5: "8005953e000000000000007d948c056d6f64656c948c05706f736978948c0673797374656d9493948c18746f756368202f746d702f676c696d7073652d70776e65649485945294732e",
    ]

    @Test(arguments: cpythonPayloads.keys.sorted())
    func osSystemPayloadIsRefusedUnrun(protocolVersion: Int) throws {
        try? FileManager.default.removeItem(atPath: Self.marker)
        let bytes = CheckpointFixtures.bytes(hex: try #require(Self.cpythonPayloads[protocolVersion]))
        let e = CheckpointFixtures.error { _ = try load(bytes) }
        if protocolVersion == 0 {
            // Protocol 0's text opcodes (the dict's `(d`, unicode `V`) are not read at all.
            guard case .unknownOpcode = e else { Issue.record("\(String(describing: e))"); return }
        } else {
            guard case .forbiddenGlobal(_, let name) = e else { Issue.record("\(String(describing: e))"); return }
            #expect(name == "posix.system")
        }
        #expect(!FileManager.default.fileExists(atPath: Self.marker))
    }

    /// INST (`i`), OBJ (`o`), NEWOBJ_EX and the extension registry (EXT1/2/4) each call a class or look
    /// one up; none is part of what torch.save writes, so all are refused by opcode.
    @Test(arguments: [
        ("INST", [0x28, 0x58, 4, 0, 0, 0] + Array("true".utf8) + [0x69] + Array("os\nsystem\n".utf8) + [0x2E]),
        ("OBJ", [0x28, 0x63] + Array("os\nsystem\n".utf8) + [0x58, 4, 0, 0, 0] + Array("true".utf8) + [0x6F, 0x2E]),
        ("NEWOBJ_EX", [0x80, 0x04, 0x8C, 0x0B] + Array("__torch__.m".utf8) + [0x8C, 1, 0x43, 0x93, 0x29, 0x7D, 0x92, 0x2E]),
        ("EXT1", [0x80, 0x02, 0x82, 0x01, 0x29, 0x52, 0x2E]),
        ("EXT2", [0x80, 0x02, 0x83, 0x01, 0x00, 0x29, 0x52, 0x2E]),
        ("EXT4", [0x80, 0x02, 0x84, 0x01, 0x00, 0x00, 0x00, 0x29, 0x52, 0x2E]),
    ] as [(String, [UInt8])])
    func classCallingOpcodesAreRefused(name: String, bytes: [UInt8]) {
        let e = CheckpointFixtures.error { _ = try load(bytes) }
        switch e {
        case .unknownOpcode?, .forbiddenGlobal?: break
        default: Issue.record("\(name): \(String(describing: e))")
        }
    }

    /// 20,000 nested INST/OBJ constructions: refused at the first one, with no recursion.
    @Test func nestedInstAndObjAreRefusedWithoutRecursion() {
        var inst: [UInt8] = [0x80, 0x02]
        for _ in 0..<20_000 { inst += [0x28] }
        for _ in 0..<20_000 { inst += [0x69] + Array("builtins\nlist\n".utf8) }
        inst += [0x2E]
        var obj: [UInt8] = [0x80, 0x02]
        for _ in 0..<20_000 { obj += [0x28, 0x63] + Array("builtins\nlist\n".utf8) }
        for _ in 0..<20_000 { obj += [0x6F] }
        obj += [0x2E]
        for bytes in [inst, obj] {
            let e = CheckpointFixtures.error { _ = try load(bytes) }
            switch e {
            case .unknownOpcode?, .forbiddenGlobal?, .pickleLimit?: break
            default: Issue.record("\(String(describing: e))")
            }
        }
    }

    /// A memo that grows without bound is cut off at the limit; sparse keys up to 2^32-1 cost one entry
    /// each, not an array of that size.
    @Test func excessiveMemoIsBounded() throws {
        var limits = RestrictedUnpickler.Limits()
        limits.maxMemo = 1_000
        let flood: [UInt8] = [0x80, 0x04, 0x4E] + [UInt8](repeating: 0x94, count: 5_000) + [0x2E]
        guard case .pickleLimit = CheckpointFixtures.error({ _ = try load(flood, limits: limits) }) else {
            Issue.record("MEMOIZE flood was not limited"); return
        }
        let sparse: [UInt8] = [0x4E, 0x72, 0xFF, 0xFF, 0xFF, 0xFF, 0x30, 0x6A, 0xFF, 0xFF, 0xFF, 0xFF, 0x2E]
        let object = try load(sparse, limits: limits)
        guard case .none = object.root else { Issue.record("\(object.root)"); return }
        let undefined: [UInt8] = [0x4E, 0x6A, 0xFE, 0xFF, 0xFF, 0xFF, 0x2E]
        guard case .invalidPickle = CheckpointFixtures.error({ _ = try load(undefined) }) else {
            Issue.record("undefined LONG_BINGET"); return
        }
    }

    /// Lengths that claim more than the pickle holds are refused before anything is allocated.
    @Test(arguments: [
        [0x80, 0x04, 0x8D, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F, 0x2E],  // BINUNICODE8 of 2^63
        [0x80, 0x04, 0x8E, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x40, 0x2E],  // BINBYTES8 of 2^62
        [0x80, 0x04, 0x95, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x4E, 0x2E],  // FRAME of 2^64-1
        [0x42, 0xFF, 0xFF, 0xFF, 0xFF, 0x2E],  // BINBYTES of 4 GiB
    ] as [[UInt8]])
    func absurdLengthsAreRefused(bytes: [UInt8]) {
        let e = CheckpointFixtures.error { _ = try load(bytes) }
        switch e {
        case .invalidPickle?, .pickleLimit?: break
        default: Issue.record("\(String(describing: e))")
        }
    }
}
