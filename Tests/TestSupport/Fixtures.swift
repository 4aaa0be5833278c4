import Foundation

/// Locates committed fixtures (Tests/Fixtures) and the shared GPT-2 vocabulary (../shared/gpt2)
/// relative to this source file, so tests work from any working directory.
public enum Fixtures {
    /// The repository root (the folder holding Package.swift).
    public static let repoRoot: URL = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }  // Tests/TestSupport/Fixtures.swift
        return url
    }()

    public static func url(_ relative: String) -> URL {
        repoRoot.appendingPathComponent("Tests/Fixtures").appendingPathComponent(relative)
    }

    public static func path(_ relative: String) -> String { url(relative).path }

    /// ../shared/gpt2 next to the repository (the genuine GPT-2 vocabulary).
    public static var sharedGPT2: URL { repoRoot.deletingLastPathComponent().appendingPathComponent("shared/gpt2") }

    public static func json(_ relative: String) throws -> Any {
        let data = try Data(contentsOf: url(relative))
        return try JSONSerialization.jsonObject(with: data)
    }

    /// A fresh temporary directory, removed by the caller when done.
    public static func temporaryDirectory() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("glimpse-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// The built `glimpse` executable next to the test bundle.
    public static var glimpseBinary: URL {
        var dir = Bundle.main.bundleURL
        if !FileManager.default.fileExists(atPath: dir.appendingPathComponent("glimpse").path) {
            dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        }
        return dir.appendingPathComponent("glimpse")
    }
}
