// swift-tools-version: 6.1
// libFuzzer harnesses for Glimpse's parsers of outside data. A separate package so that the root
// package's `swift build` / `swift test` never see them; build and run with build.sh / run.sh.
import PackageDescription

/// One harness: an executable whose LLVMFuzzerTestOneInput is defined in `<name>/main.swift`.
/// `-parse-as-library` leaves `main` to libFuzzer (linked by `-sanitize=fuzzer` in build.sh).
func harness(_ name: String, _ products: [String]) -> Target {
    .executableTarget(
        name: "fuzz-\(name)",
        dependencies: ["FuzzSupport"] + products.map { .product(name: $0, package: "Glimpse") },
        path: name,
        swiftSettings: [.unsafeFlags(["-parse-as-library"])]
    )
}

let package = Package(
    name: "GlimpseFuzz",
    platforms: [.macOS(.v14)],
    dependencies: [.package(name: "Glimpse", path: "..")],
    targets: [
        .target(name: "FuzzSupport", path: "Support"),
        harness("gguf", ["GGUF"]),
        harness("safetensors", ["Conversion", "GGUF"]),
        harness("unpickler", ["Conversion"]),
        harness("zip", ["Conversion", "GGUF"]),
        harness("image", ["Vision"]),
        harness("prompt", ["Multimodal"]),
        harness("evaluation", ["Evaluation"]),
    ]
)
