// swift-tools-version:6.0
// Runner: a declarative experiment runner for transfer learning of image classifiers.
import PackageDescription

// Release builds compile the numeric loops for the building machine's CPU (AVX2 or AVX-512 where it
// has them; SwiftPM builds from source where it runs). RUNNER_PORTABLE=1 keeps the baseline
// instruction set, for a binary that must run on other processors.
// Either way the numbers are the same (see Numerics): env.json records which build made them.
let cpuSettings: [SwiftSetting] = Context.environment["RUNNER_PORTABLE"] == nil
    ? [.unsafeFlags(["-target-cpu", "native"], .when(configuration: .release)), .define("RUNNER_NATIVE")] : []

let package = Package(
    name: "Runner",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "runner", targets: ["runner"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        .systemLibrary(name: "CBLAS", path: "Sources/CBLAS"),
        .systemLibrary(name: "CSystem", path: "Sources/CSystem"),
        .target(name: "Tensors", dependencies: ["CBLAS", "CSystem"], swiftSettings: cpuSettings),
        .target(name: "Diagnostics"),
        .target(name: "Layers", dependencies: ["Tensors", "Diagnostics"], swiftSettings: cpuSettings),
        .systemLibrary(name: "CImageCodecs", path: "Sources/CImageCodecs"),
        .systemLibrary(name: "CCurl", path: "Sources/CCurl"),
        .systemLibrary(name: "CCrypto", path: "Sources/CCrypto"),
        .systemLibrary(name: "CArchive", path: "Sources/CArchive"),
        .target(name: "Downloads", dependencies: ["CCurl", "CCrypto", "Diagnostics"]),
        .target(name: "Archives", dependencies: ["CArchive"]),
        .target(name: "Datasets", dependencies: ["Tensors", "CImageCodecs", "Diagnostics"], swiftSettings: cpuSettings),
        .target(name: "Optimizers", dependencies: ["Tensors", "Layers"], swiftSettings: cpuSettings),
        .target(name: "Experiments", dependencies: ["Diagnostics", .product(name: "Yams", package: "Yams")]),
        .target(name: "Training", dependencies: ["Tensors", "Layers", "Datasets", "Experiments", "Optimizers",
                                                 "Downloads", "Archives", "Diagnostics"],
                swiftSettings: cpuSettings),
        .executableTarget(
            name: "runner",
            dependencies: [
                "Tensors", "Layers", "Datasets", "Experiments", "Training", "Diagnostics",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        .target(name: "TestSupport", dependencies: ["Tensors", "Layers"], path: "Tests/TestSupport"),
        .testTarget(name: "TensorsTests", dependencies: ["Tensors", "TestSupport"]),
        .testTarget(name: "LayersTests", dependencies: ["Layers", "Tensors", "TestSupport"],
                    exclude: ["Fixtures"]),
        .testTarget(name: "DatasetsTests", dependencies: ["Datasets", "Tensors"], exclude: ["Fixtures"]),
        .testTarget(name: "OptimizersTests", dependencies: ["Optimizers", "Layers", "Tensors", "TestSupport"],
                    exclude: ["Fixtures"]),
        .testTarget(name: "ExperimentsTests", dependencies: ["Experiments", "Diagnostics"]),
        .testTarget(name: "TrainingTests", dependencies: ["Training", "Experiments", "Layers", "Tensors", "Downloads", "Diagnostics",
                                                          "TestSupport"]),
        .testTarget(name: "DownloadsTests", dependencies: ["Downloads"], exclude: ["Fixtures"]),
        .testTarget(name: "ArchivesTests", dependencies: ["Archives"], exclude: ["Fixtures"]),
        .testTarget(name: "CLITests", dependencies: ["runner", "Layers", "Tensors", "TestSupport"], exclude: ["InvalidConfigs"]),
    ],
    swiftLanguageModes: [.v5]
)
