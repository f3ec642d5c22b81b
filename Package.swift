// swift-tools-version:6.1
// Tern: a service-mesh data plane speaking Envoy's v3 API. See docs/ and ../shared/DESIGN.md.
import PackageDescription

let nio: [Target.Dependency] = [
    .product(name: "NIOCore", package: "swift-nio"),
    .product(name: "NIOPosix", package: "swift-nio"),
]

let package = Package(
    name: "Tern",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "tern", targets: ["tern"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-protobuf.git", from: "1.39.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-atomics.git", from: "1.3.0"),
    ],
    targets: [
        .executableTarget(
            name: "tern",
            dependencies: [
                "TernServer", "TernConfig", "TernCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ] + nio),
        .target(
            name: "TernServer",
            dependencies: ["TernAdmin", "TernHTTP", "TernNetwork", "TernUpstream", "TernConfig", "TernCore",
                           .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                           .product(name: "NIOHTTP1", package: "swift-nio"),
                           .product(name: "Logging", package: "swift-log"),
                           .product(name: "Atomics", package: "swift-atomics")] + nio),
        .target(
            name: "TernAdmin",
            dependencies: ["TernConfig", "TernCore",
                           .product(name: "NIOHTTP1", package: "swift-nio"),
                           .product(name: "Logging", package: "swift-log")] + nio),
        .target(
            name: "TernHTTP",
            dependencies: ["TernNetwork", "TernUpstream", "TernConfig", "TernCore",
                           .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                           .product(name: "NIOHTTP1", package: "swift-nio"),
                           .product(name: "Logging", package: "swift-log")] + nio),
        .target(
            name: "TernNetwork",
            dependencies: ["TernUpstream", "TernConfig", "TernCore",
                           .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                           .product(name: "Logging", package: "swift-log")] + nio),
        .target(
            name: "TernUpstream",
            dependencies: ["TernConfig", "TernCore",
                           .product(name: "Logging", package: "swift-log")] + nio),
        .target(
            name: "TernConfig",
            dependencies: ["TernCore",
                           .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                           .product(name: "Yams", package: "Yams")] + nio),
        .target(
            name: "TernCore",
            dependencies: [.product(name: "Atomics", package: "swift-atomics"),
                           .product(name: "Logging", package: "swift-log")] + nio),
        .target(
            name: "TernTestSupport",
            dependencies: ["TernServer", "TernConfig", "TernCore",
                           .product(name: "NIOHTTP1", package: "swift-nio")] + nio,
            path: "Tests/TernTestSupport"),
        .testTarget(name: "TernCoreTests", dependencies: ["TernCore"]),
        .testTarget(name: "TernConfigTests", dependencies: ["TernConfig", "TernCore"]),
        .testTarget(name: "TernHTTPTests", dependencies: ["TernHTTP", "TernNetwork", "TernUpstream", "TernConfig", "TernCore",
                                                          .product(name: "NIOHTTP1", package: "swift-nio")] + nio),
        .testTarget(name: "TernNetworkTests", dependencies: ["TernNetwork", "TernUpstream", "TernConfig", "TernCore"] + nio),
        .testTarget(name: "TernUpstreamTests", dependencies: ["TernUpstream", "TernConfig"]),
        .testTarget(name: "TernAdminTests", dependencies: ["TernAdmin", "TernConfig", "TernCore"] + nio),
        .testTarget(name: "TernServerTests", dependencies: ["TernServer", "TernNetwork", "TernUpstream", "TernConfig", "TernCore",
                                                            .product(name: "SwiftProtobuf", package: "swift-protobuf")] + nio),
        .testTarget(name: "IntegrationTests", dependencies: ["TernTestSupport", "TernServer", "TernConfig", "TernCore"] + nio),
    ]
)
