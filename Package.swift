// swift-tools-version:6.2
import PackageDescription

/// The release binary must start on Amazon Linux 2023 (glibc 2.34). glibc 2.35 re-versioned `hypot` and `hypotf`,
/// which the Swift Glibc module and FoundationEssentials reference, so every executable routes them to
/// `CShims` (see docs/DESIGN.md and scripts/check-binary).
let wrapHypot: [LinkerSetting] = [
    .unsafeFlags(["-Xlinker", "--wrap=hypot", "-Xlinker", "--wrap=hypotf"])
]

/// The release `bootstrap` only (issue 19, docs/BENCHMARKS.md): no dynamic symbol table of its own. Nothing looks
/// its symbols up at run time, and dead-stripping can then drop the code only the exported table kept alive
/// (1.5 MB of the zip).
let releaseArtifactLinking: [LinkerSetting] = [
    .unsafeFlags(["-Xlinker", "--no-export-dynamic"], .when(configuration: .release))
]

let package = Package(
    name: "cloudfront-invalidator",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "bootstrap", targets: ["bootstrap"]),
        .executable(name: "invalidator", targets: ["invalidator"]),
        .executable(name: "lambda-emulator", targets: ["lambda-emulator"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
    ],
    targets: [
        .target(name: "JSONSupport"),
        .target(name: "Formats"),
        .target(
            name: "InvalidationCore",
            dependencies: ["JSONSupport", "Formats", "Digests"]
        ),
        .target(name: "Digests", dependencies: [.product(name: "NIOSSL", package: "swift-nio-ssl")]),
        .target(
            name: "HTTP1",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        .target(
            name: "AWSClient",
            dependencies: [
                "JSONSupport", "Formats", "HTTP1", "Digests",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        .target(
            name: "LambdaRuntime",
            dependencies: [
                "JSONSupport", "Formats", "HTTP1",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        .target(
            name: "Invalidator",
            dependencies: [
                "InvalidationCore", "AWSClient", "LambdaRuntime", "Formats", "Digests",
            ]
        ),
        .target(
            name: "InvalidationCost",
            dependencies: [
                "AWSClient", "Formats", "JSONSupport", "Digests",
            ]
        ),
        .target(
            name: "Doctor",
            dependencies: ["Invalidator", "InvalidationCore", "AWSClient", "LambdaRuntime", "JSONSupport", "Formats"]
        ),
        .target(name: "CShims"),
        .target(name: "AWSTestSupport", dependencies: ["AWSClient", "FuzzSupport"]),
        .target(name: "FuzzSupport"),
        .executableTarget(
            name: "bootstrap",
            dependencies: ["Invalidator", "LambdaRuntime", "CShims", .product(name: "NIOCore", package: "swift-nio")],
            linkerSettings: wrapHypot + releaseArtifactLinking
        ),
        .executableTarget(
            name: "invalidator",
            dependencies: [
                "Invalidator", "InvalidationCore", "InvalidationCost", "AWSClient", "LambdaRuntime", "JSONSupport",
                "CShims", "Formats", "Doctor", "Digests",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            linkerSettings: wrapHypot
        ),
        .target(
            name: "LocalAWS",
            dependencies: [
                "AWSClient", "JSONSupport", "Formats",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        .target(
            name: "LambdaEmulator",
            dependencies: ["LocalAWS"]
        ),
        .executableTarget(name: "planner-benchmark", dependencies: ["InvalidationCore", "JSONSupport"]),
        .target(
            name: "DeploySimulator",
            dependencies: [
                "Invalidator", "InvalidationCore", "AWSClient", "LocalAWS", "AWSTestSupport", "JSONSupport",
                "LambdaRuntime",
            ]
        ),
        .executableTarget(
            name: "deploy-benchmark",
            dependencies: ["DeploySimulator", "Invalidator", "InvalidationCore", "AWSTestSupport"]
        ),
        .executableTarget(name: "function-benchmark", dependencies: ["LambdaEmulator", "LocalAWS", "JSONSupport"]),
        .executableTarget(
            name: "lambda-emulator",
            dependencies: [
                "LambdaEmulator", "LocalAWS", .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(
            name: "InvalidationCoreTests",
            dependencies: ["InvalidationCore", "JSONSupport", "AWSTestSupport"],
            exclude: ["Fixtures"]
        ),
        .testTarget(name: "FormatsTests", dependencies: ["Formats"]),
        .testTarget(
            name: "DigestsTests",
            dependencies: ["Digests", "Formats", .product(name: "Crypto", package: "swift-crypto")]
        ),
        .testTarget(name: "JSONSupportTests", dependencies: ["JSONSupport", "AWSTestSupport"]),
        .testTarget(name: "AWSClientTests", dependencies: ["AWSClient", "AWSTestSupport"], exclude: ["Fixtures"]),
        .testTarget(name: "LambdaRuntimeTests", dependencies: ["LambdaRuntime", "LambdaEmulator", "JSONSupport"]),
        .testTarget(
            name: "InvalidatorTests",
            dependencies: [
                "Invalidator", "InvalidationCore", "AWSClient", "AWSTestSupport", "LambdaRuntime", "JSONSupport",
                "LocalAWS",
            ]
        ),
        .testTarget(
            name: "InvalidationCostTests",
            dependencies: ["InvalidationCost", "AWSClient", "AWSTestSupport", "Formats", "JSONSupport", "LocalAWS"]
        ),
        .testTarget(
            name: "HTTP1Tests",
            dependencies: [
                "HTTP1", "AWSClient",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        .testTarget(name: "LocalAWSTests", dependencies: ["LocalAWS", "AWSClient", "AWSTestSupport"]),
        .testTarget(name: "DeploySimulatorTests", dependencies: ["DeploySimulator", "Invalidator"]),
        .testTarget(
            name: "DoctorTests",
            dependencies: ["Doctor", "Invalidator", "InvalidationCore", "AWSClient", "AWSTestSupport", "LocalAWS"]
        ),
        .testTarget(
            name: "IntegrationTests",
            dependencies: ["LambdaEmulator", "LocalAWS", "JSONSupport", "AWSClient", "Doctor", "Invalidator"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
