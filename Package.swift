// swift-tools-version:6.1
// Tern: a service-mesh data plane speaking Envoy's v3 API. See docs/ and ../shared/DESIGN.md.
import PackageDescription

let nio: [Target.Dependency] = [
    .product(name: "NIOCore", package: "swift-nio"),
    .product(name: "NIOPosix", package: "swift-nio"),
]
let http1: Target.Dependency = .product(name: "NIOHTTP1", package: "swift-nio")
let http2: Target.Dependency = .product(name: "NIOHTTP2", package: "swift-nio-http2")
let protobuf: Target.Dependency = .product(name: "SwiftProtobuf", package: "swift-protobuf")
let logging: Target.Dependency = .product(name: "Logging", package: "swift-log")
let atomics: Target.Dependency = .product(name: "Atomics", package: "swift-atomics")
let hpack: Target.Dependency = .product(name: "NIOHPACK", package: "swift-nio-http2")
let nioSSL: Target.Dependency = .product(name: "NIOSSL", package: "swift-nio-ssl")

/// Release builds of Tern's own targets skip dynamic exclusivity checks (the data path is
/// single-threaded per event loop, and the checks showed up in profiles); debug builds keep them.
let ternSettings: [SwiftSetting] = [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]

func ternTarget(_ name: String, _ deps: [Target.Dependency]) -> Target {
    .target(name: name, dependencies: deps + nio, swiftSettings: ternSettings)
}

func ternTests(_ name: String, _ deps: [Target.Dependency]) -> Target {
    .testTarget(name: name, dependencies: deps + nio)
}

let package = Package(
    name: "Tern",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "tern", targets: ["tern"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-http2.git", from: "1.46.0"),
        .package(url: "https://github.com/apple/swift-protobuf.git", from: "1.39.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-atomics.git", from: "1.3.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
    ],
    targets: [
        .executableTarget(
            name: "tern",
            dependencies: ["TernServer", "TernConfig", "TernCore", logging,
                           .product(name: "ArgumentParser", package: "swift-argument-parser")] + nio,
            swiftSettings: ternSettings),
        ternTarget("TernServer", ["TernAdmin", "TernHTTP", "TernNetwork", "TernUpstream", "TernTransport", "TernConfig", "TernCore",
                                  protobuf, http1, logging, atomics]),
        ternTarget("TernAdmin", ["TernConfig", "TernCore", http1, logging]),
        ternTarget("TernHTTP", ["TernHTTP2", "TernNetwork", "TernUpstream", "TernTransport", "TernConfig", "TernCore", protobuf, http1, http2, logging]),
        // The HTTP/2 protocol engine: frames, HPACK, stream states, flow control.
        ternTarget("TernHTTP2", ["TernCore", http2, hpack]),
        ternTarget("TernNetwork", ["TernUpstream", "TernTransport", "TernConfig", "TernCore", protobuf, logging]),
        ternTarget("TernUpstream", ["TernTransport", "TernConfig", "TernCore", http1, http2, logging]),
        // TLS transport sockets: the only target that imports NIOSSL (BoringSSL).
        ternTarget("TernTransport", ["TernConfig", "TernCore", nioSSL, .product(name: "NIOTLS", package: "swift-nio")]),
        ternTarget("TernConfig", ["TernCore", protobuf, .product(name: "Yams", package: "Yams")]),
        ternTarget("TernCore", ["CTernMalloc", atomics, logging]),
        // glibc calls Swift's Glibc module does not import (mallinfo2).
        .target(name: "CTernMalloc"),
        .target(
            name: "TernTestSupport",
            dependencies: ["TernServer", "TernConfig", "TernCore", http1, http2] + nio,
            path: "Tests/TernTestSupport"),
        ternTests("TernCoreTests", ["TernCore"]),
        ternTests("TernConfigTests", ["TernConfig", "TernCore"]),
        ternTests("TernHTTPTests", ["TernHTTP", "TernNetwork", "TernUpstream", "TernConfig", "TernCore", http1, http2,
                                  .product(name: "NIOEmbedded", package: "swift-nio")]),
        ternTests("TernHTTP2Tests", ["TernHTTP2", http2, hpack]),
        ternTests("TernNetworkTests", ["TernNetwork", "TernUpstream", "TernTransport", "TernConfig", "TernCore", protobuf]),
        ternTests("TernUpstreamTests", ["TernUpstream", "TernConfig"]),
        ternTests("TernTransportTests", ["TernTransport", "TernConfig", "TernCore"]),
        ternTests("TernAdminTests", ["TernAdmin", "TernConfig", "TernCore"]),
        ternTests("TernServerTests", ["TernServer", "TernNetwork", "TernUpstream", "TernConfig", "TernCore", protobuf]),
        ternTests("IntegrationTests", ["TernTestSupport", "TernServer", "TernConfig", "TernCore"]),
    ]
)
