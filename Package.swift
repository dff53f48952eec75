// swift-tools-version:6.0
// Runner: a declarative experiment runner for transfer learning of image classifiers.
import PackageDescription

let package = Package(
    name: "Runner",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "runner", targets: ["runner"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        .systemLibrary(name: "CBLAS", path: "Sources/CBLAS"),
        .systemLibrary(name: "CSystem", path: "Sources/CSystem"),
        .target(name: "Tensors", dependencies: ["CBLAS", "CSystem"]),
        .target(name: "Layers", dependencies: ["Tensors"]),
        .systemLibrary(name: "CImageCodecs", path: "Sources/CImageCodecs"),
        .target(name: "Datasets", dependencies: ["Tensors", "CImageCodecs"]),
        .executableTarget(
            name: "runner",
            dependencies: [
                "Tensors", "Layers", "Datasets",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        .target(name: "TestSupport", dependencies: ["Tensors"], path: "Tests/TestSupport"),
        .testTarget(name: "TensorsTests", dependencies: ["Tensors", "TestSupport"]),
        .testTarget(name: "LayersTests", dependencies: ["Layers", "Tensors", "TestSupport"],
                    exclude: ["Fixtures"]),
        .testTarget(name: "DatasetsTests", dependencies: ["Datasets", "Tensors"], exclude: ["Fixtures"]),
    ],
    swiftLanguageModes: [.v5]
)
