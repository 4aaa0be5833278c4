// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "Glimpse",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "glimpse", targets: ["glimpse"]),
        // Libraries for the libFuzzer harnesses in Fuzz/ (a separate package that depends on this one).
        .library(name: "GGUF", targets: ["GGUF"]),
        .library(name: "Conversion", targets: ["Conversion"]),
        .library(name: "Vision", targets: ["Vision"]),
        .library(name: "Multimodal", targets: ["Multimodal"]),
        .library(name: "Evaluation", targets: ["Evaluation"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        // Hot loops only: dot products, matvec rows, quantization, attention, thread pool.
        .target(
            name: "CKernels",
            cSettings: [
                // SwiftPM builds C at -O0 in debug, which makes kernels ~20x slower and `swift test` crawl.
                .unsafeFlags(["-O2"], .when(configuration: .debug)),
                .unsafeFlags(["-O3"], .when(configuration: .release)),
            ],
            linkerSettings: [.linkedLibrary("m"), .linkedLibrary("pthread")]
        ),
        .systemLibrary(name: "COpenBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        .target(name: "TensorCore", dependencies: ["CKernels", "COpenBLAS"]),
        // SIGBUS from a mapped file that shrinks mid-run becomes a one-line error naming the file.
        .target(name: "CMapGuard"),
        .target(name: "GGUF", dependencies: ["TensorCore", "CMapGuard"]),
        .target(name: "Tokenizer"),
        .target(name: "Generation", dependencies: ["TensorCore", "Tokenizer"]),
        .target(name: "GPTJ", dependencies: ["GGUF", "TensorCore", "Tokenizer", "Generation"]),
        .systemLibrary(name: "CJPEG", pkgConfig: "libjpeg", providers: [.apt(["libjpeg-dev"]), .brew(["jpeg-turbo"])]),
        .systemLibrary(name: "CPNG", pkgConfig: "libpng", providers: [.apt(["libpng-dev"]), .brew(["libpng"])]),
        // Image decoding in C: libjpeg/libpng report errors by longjmp, which Swift cannot survive.
        .target(
            name: "CImageCodecs",
            dependencies: ["CJPEG", "CPNG"],
            cSettings: [.unsafeFlags(["-O2"], .when(configuration: .debug))]
        ),
        .target(name: "Vision", dependencies: ["GGUF", "TensorCore", "CKernels", "CImageCodecs"]),
        .target(name: "Multimodal", dependencies: ["Generation", "Tokenizer", "Vision", "GPTJ"]),
        .target(name: "Evaluation"),
        .target(name: "Conversion", dependencies: ["GGUF", "TensorCore", "Tokenizer"]),
        .executableTarget(
            name: "glimpse",
            dependencies: [
                "GGUF", "TensorCore", "Tokenizer", "Generation", "GPTJ", "Conversion", "Vision", "Multimodal", "Evaluation",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "TensorCoreTests", dependencies: ["TestSupport", "TensorCore", "CKernels"]),
        .testTarget(name: "GGUFTests", dependencies: ["TestSupport", "GGUF", "TensorCore"]),
        .testTarget(name: "GenerationTests", dependencies: ["Generation"]),
        .testTarget(name: "TokenizerTests", dependencies: ["TestSupport", "Tokenizer"]),
        .testTarget(name: "GPTJTests", dependencies: ["TestSupport", "GPTJ", "GGUF", "Generation", "Conversion", "TensorCore", "Tokenizer"]),
        .testTarget(name: "VisionTests", dependencies: ["TestSupport", "Vision", "Conversion", "TensorCore"]),
        .testTarget(name: "MultimodalTests", dependencies: ["TestSupport", "Multimodal", "GPTJ", "Generation", "Vision", "Conversion", "TensorCore"]),
        .testTarget(name: "EvaluationTests", dependencies: ["Evaluation"]),
        .testTarget(name: "ConversionTests", dependencies: ["TestSupport", "Conversion", "GGUF", "TensorCore"]),
        .testTarget(name: "CLITests", dependencies: ["TestSupport", "glimpse", "GGUF", "Evaluation"]),
    ]
)
