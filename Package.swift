// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Takt",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "takt", targets: ["takt"]),
        .library(name: "TaktLanguage", targets: ["TaktLanguage"]),
        .library(name: "TaktCore", targets: ["TaktCore"]),
        .library(name: "TaktOptimizer", targets: ["TaktOptimizer"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        // The simulation core: knows nothing of the language.
        .target(name: "TaktCore", dependencies: ["CPrefetch"], swiftSettings: [.unsafeFlags(["-enforce-exclusivity=unchecked"])]),
        // A cache prefetch hint, which Swift does not offer, for the core's event loop.
        .target(name: "CPrefetch"),
        // Simulation optimization over a finite space: search, selection and Pareto fronts. Knows
        // neither the language nor the engine: the caller runs configurations.
        .target(name: "TaktOptimizer"),
        // Lexer, parser, checker and interpreter. Never prints: the host renders diagnostics and output.
        .target(name: "TaktLanguage", dependencies: ["TaktCore", "TaktOptimizer"],
                swiftSettings: [.unsafeFlags(["-enforce-exclusivity=unchecked"])]),
        // libedit through pkg-config (Debian: libedit-dev), and the C shim its variadic and
        // function-pointer API needs; LineEditor is the thin Swift wrapper the REPL uses.
        .systemLibrary(name: "CLibEdit", pkgConfig: "libedit", providers: [.apt(["libedit-dev"])]),
        .target(name: "CLineEditShim", dependencies: ["CLibEdit"]),
        .target(name: "LineEditor", dependencies: ["CLineEditShim"]),
        .executableTarget(name: "takt", dependencies: [
            "TaktLanguage",
            "LineEditor",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        // Times the core on the benchmark models (Benchmarks/run_core.py compares it with SimPy).
        .executableTarget(name: "takt-bench", dependencies: ["TaktCore"], path: "Benchmarks/TaktBench"),
        // Fuzz targets for the front end's layers: libFuzzer's entry with -DTAKT_FUZZ and
        // -sanitize=fuzzer (Fuzz/run), else a replayer of inputs on an ordinary build.
        .executableTarget(name: "takt-fuzz", dependencies: ["TaktLanguage"], path: "Fuzz/TaktFuzz"),
        .testTarget(name: "TaktCoreTests", dependencies: ["TaktCore"]),
        .testTarget(name: "TaktOptimizerTests", dependencies: ["TaktOptimizer", "TaktCore"]),
        .testTarget(name: "TaktLanguageTests", dependencies: ["TaktLanguage", "TaktCore"]),
        .testTarget(name: "TaktCLITests", dependencies: ["TaktLanguage"]),
    ],
    swiftLanguageModes: [.v5]
)
