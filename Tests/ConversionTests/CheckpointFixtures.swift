import Foundation
import Testing
@testable import Conversion
#if canImport(GGUF)
import GGUF  // MappedFile lives in GGUF in the main package
#endif

/// Locates Tests/Fixtures/checkpoints (made by tools/reference/make_checkpoint_fixtures.py)
/// relative to this source file, and compares reader output with the fixtures' expected JSON.
enum CheckpointFixtures {
    /// Tests/Fixtures/checkpoints, found by going up from Tests/ConversionTests/<this file>.
    static let directory: String = {
        let testsDir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        return testsDir.appendingPathComponent("Fixtures/checkpoints").path
    }()

    static func path(_ name: String) -> String { directory + "/" + name }

    struct Expected {
        let name: String
        let dtype: String
        let shape: [Int]
        /// Exact values: integers as `.integer`, floats as `.number` (parsed with Double(String),
        /// because Foundation's JSONSerialization rounds some doubles through NSDecimalNumber).
        let values: [CheckpointJSON]

        var doubles: [Double] {
            values.map { v in
                switch v {
                case .integer(let i): return Double(i)
                case .number(let d): return d
                default: return .nan
                }
            }
        }
        var integers: [Int64] { values.map { Int64($0.intValue ?? Int.min) } }
    }

    /// Reads `<name>` (a fixture's expected-values JSON).
    static func expected(_ name: String) throws -> [Expected] {
        let data = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path(name))))
        let root = try data.withUnsafeBytes { try CheckpointJSON.parse($0) }
        let tensors = try #require(root["tensors"]?.arrayValue)
        return try tensors.map { t in
            Expected(name: try #require(t["name"]?.stringValue), dtype: try #require(t["dtype"]?.stringValue),
                     shape: try #require(t["shape"]?.arrayValue).map { try #require($0.intValue) },
                     values: try #require(t["values"]?.arrayValue))
        }
    }

    /// Asserts names, order, dtypes, shapes and exact element values.
    static func check(_ tensors: [SourceTensor], against expectedFile: String) throws {
        let expected = try expected(expectedFile)
        #expect(tensors.map(\.name) == expected.map(\.name))
        for (t, e) in zip(tensors, expected) {
            #expect(t.dtype.rawValue == e.dtype, "\(t.name)")
            #expect(t.shape == e.shape, "\(t.name)")
            #expect(t.data.count == t.elementCount * t.dtype.elementSize, "\(t.name)")
            if t.dtype.isFloatingPoint {
                #expect(try t.doubles() == e.doubles, "\(t.name)")
            } else {
                #expect(try t.integers() == e.integers, "\(t.name)")
            }
        }
    }

    /// Bytes from hex digits ("80027d" -> [0x80, 0x02, 0x7d]), for pickles written out in tests.
    static func bytes(hex s: String) -> [UInt8] {
        let digits = Array(s.utf8)
        return stride(from: 0, to: digits.count - 1, by: 2).compactMap { UInt8(String(decoding: digits[$0...$0 + 1], as: UTF8.self), radix: 16) }
    }

    /// Runs `body`, requiring it to throw a CheckpointError, and returns that error.
    static func error(_ body: () throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) -> CheckpointError? {
        do {
            try body()
            Issue.record("expected a CheckpointError, nothing was thrown", sourceLocation: sourceLocation)
        } catch let e as CheckpointError {
            #expect(!e.description.contains("\n"), "error message must be one line", sourceLocation: sourceLocation)
            return e
        } catch {
            Issue.record("expected a CheckpointError, got \(error)", sourceLocation: sourceLocation)
        }
        return nil
    }

    /// The folder of this test process's temporary files, removed when the process exits (the readers under
    /// test keep files mapped, so a test cannot always remove its own).
    nonisolated(unsafe) private static var scratchPath: String?
    private static let scratch: URL = {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("glimpse-ckpt-\(UUID().uuidString)")
        scratchPath = dir.path
        atexit { if let path = CheckpointFixtures.scratchPath { try? FileManager.default.removeItem(atPath: path) } }
        return dir
    }()

    /// Writes bytes to a fresh temporary file and returns its path.
    static func temporaryFile(_ bytes: [UInt8], name: String = "fixture.bin") throws -> String {
        let dir = scratch.appendingPathComponent(UUID().uuidString)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let url = dir.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url.path
    }

    /// The bytes of a fixture file.
    static func bytes(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: path(name))))
    }
}
