import Foundation
import TestSupport

/// Runs the built `glimpse` binary and captures its output.
struct CLIResult {
    let status: Int32
    let stdout: String
    let stderr: String
}

enum CLI {
    static func run(_ arguments: [String], in directory: URL? = nil, environment: [String: String]? = nil) throws -> CLIResult {
        try shell([Fixtures.glimpseBinary.path] + arguments, in: directory, environment: environment)
    }

    /// Runs argv directly (argv[0] is the program), optionally in another folder or environment.
    static func shell(_ argv: [String], in directory: URL? = nil, environment: [String: String]? = nil) throws -> CLIResult {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: argv[0])
        p.arguments = Array(argv.dropFirst())
        if let directory { p.currentDirectoryURL = directory }
        if let environment { p.environment = environment }
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return CLIResult(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self),
                         stderr: String(decoding: e, as: UTF8.self))
    }
}

/// Builds GGUF bytes by hand, for files the writer would refuse to make.
struct RawGGUF {
    var bytes: [UInt8] = []
    mutating func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { bytes += $0 } }
    mutating func u64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { bytes += $0 } }
    mutating func string(_ s: String) { u64(UInt64(s.utf8.count)); bytes += Array(s.utf8) }
}
