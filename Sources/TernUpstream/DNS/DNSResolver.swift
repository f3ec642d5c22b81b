import Foundation
import NIOCore
import NIOPosix

/// Resolves endpoint names for STRICT_DNS and LOGICAL_DNS clusters with the system resolver
/// (getaddrinfo) on a thread pool, never on an event loop.
public struct DNSResolver: Sendable {
    private let pool: NIOThreadPool
    private let lookup: @Sendable (String, Int, ClusterConfig.DNSLookupFamily) throws -> [SocketAddress]

    /// The system resolver on `pool`.
    public init(pool: NIOThreadPool) {
        self.pool = pool
        self.lookup = { try DNSResolver.getaddrinfo($0, port: $1, family: $2) }
    }

    /// A resolver with its own lookup (still run on `pool`), for tests that need names to
    /// change or fail.
    public init(pool: NIOThreadPool, lookup: @escaping @Sendable (String, Int, ClusterConfig.DNSLookupFamily) throws -> [SocketAddress]) {
        self.pool = pool
        self.lookup = lookup
    }

    /// All addresses `name` has for `family`, in resolver order; IP literals resolve to themselves at once.
    public func resolve(_ name: String, port: Int, family: ClusterConfig.DNSLookupFamily,
                        on loop: any EventLoop) -> EventLoopFuture<[SocketAddress]> {
        if let literal = try? SocketAddress(ipAddress: name, port: port) {
            return loop.makeSucceededFuture([literal])
        }
        let lookup = self.lookup
        return pool.runIfActive(eventLoop: loop) {
            try lookup(name, port, family)
        }
    }

    static func getaddrinfo(_ name: String, port: Int, family: ClusterConfig.DNSLookupFamily) throws -> [SocketAddress] {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        switch family {
        case .v4Only: hints.ai_family = AF_INET
        case .v6Only: hints.ai_family = AF_INET6
        default: hints.ai_family = AF_UNSPEC
        }
        var result: UnsafeMutablePointer<addrinfo>?
        let rc = Glibc.getaddrinfo(name, String(port), &hints, &result)
        guard rc == 0, let first = result else {
            throw DNSResolutionError(name: name, reason: String(cString: gai_strerror(rc)))
        }
        defer { freeaddrinfo(first) }
        var v4: [SocketAddress] = []
        var v6: [SocketAddress] = []
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let info = cursor {
            if let sa = info.pointee.ai_addr {
                switch info.pointee.ai_family {
                case AF_INET:
                    let a = sa.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { SocketAddress($0.pointee, host: name) }
                    if !v4.contains(a) { v4.append(a) }
                case AF_INET6:
                    let a = sa.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { SocketAddress($0.pointee, host: name) }
                    if !v6.contains(a) { v6.append(a) }
                default: break
                }
            }
            cursor = info.pointee.ai_next
        }
        let ordered: [SocketAddress]
        switch family {
        // Envoy's AUTO prefers IPv6 and falls back to IPv4; V4_PREFERRED the reverse.
        case .auto: ordered = v6.isEmpty ? v4 : v6
        case .v4Preferred: ordered = v4.isEmpty ? v6 : v4
        case .v4Only: ordered = v4
        case .v6Only: ordered = v6
        case .all: ordered = v4 + v6
        }
        guard !ordered.isEmpty else { throw DNSResolutionError(name: name, reason: "no addresses of the requested family") }
        return ordered
    }
}

/// A name that did not resolve.
public struct DNSResolutionError: Error, CustomStringConvertible {
    public let name: String
    public let reason: String

    public init(name: String, reason: String) {
        self.name = name
        self.reason = reason
    }
    public var description: String { "cannot resolve \(name): \(reason)" }
}
