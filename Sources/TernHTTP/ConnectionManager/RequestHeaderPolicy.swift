import Foundation
import NIOCore
import NIOHTTP1
import TernNetwork

/// What the connection manager does to every request's headers before the filters see them,
/// following Envoy's connection manager: reject what HTTP/1.1 forbids, normalise the target,
/// strip hop-by-hop headers, and set `x-forwarded-proto`, `x-forwarded-for`, `x-request-id`
/// and `via` as configured. One scan of the header block decides what needs doing.
enum RequestHeaderPolicy {
    struct Rejection {
        let status: HTTPResponseStatus
        let body: String
        let details: String
        let flags: ResponseFlags
    }

    /// `x-forwarded-proto` as a ready block: appending it allocates nothing and skips the name
    /// check `HTTPHeaders.add` repeats on every call.
    static let forwardedHTTP = HTTPHeaders([("x-forwarded-proto", "http")])
    static let forwardedHTTPS = HTTPHeaders([("x-forwarded-proto", "https")])

    static let badRequest = Rejection(status: .badRequest, body: "Bad Request", details: "http1.codec_error",
                                      flags: .downstreamProtocolError)

    /// Returns a rejection for requests Envoy refuses; otherwise rewrites `head` in place.
    static func normalize(_ head: inout HTTPRequestHead, scan: HeaderScan, config: HTTPConnectionManagerConfig,
                          connection: DownstreamConnection, trustedRemote: SocketAddress?, codec: any StreamCodec,
                          random: WorkerRandom, isUpgrade: inout Bool) -> Rejection? {
        if head.version.major == 1 && head.version.minor == 0 && !config.acceptHTTP10 {
            return Rejection(status: .upgradeRequired, body: "Upgrade Required", details: "low_version", flags: .downstreamProtocolError)
        }
        var scan = scan
        // Absolute-form targets (`GET http://host/path`) become origin-form plus Host.
        if head.uri.utf8.first != UInt8(ascii: "/"), head.method != .CONNECT, head.uri != "*" {
            guard let schemeEnd = head.uri.range(of: "://") else { return badRequest }
            let rest = head.uri[schemeEnd.upperBound...]
            let slash = rest.firstIndex(of: "/") ?? rest.endIndex
            head.headers.replaceOrAdd(name: "host", value: String(rest[..<slash]))
            head.uri = slash == rest.endIndex ? "/" : String(rest[slash...])
            scan.insert(.host)
            scan.remove(.multipleHosts)
        }
        if scan.contains(.multipleHosts) { return badRequest }
        if !scan.contains(.host) {
            if head.version == .http1_0, let host = config.defaultHostForHTTP10 {
                head.headers.add(name: "host", value: host)
            } else if head.version.minor >= 1 || head.version.major >= 2 {
                return Rejection(status: .badRequest, body: "missing required header: :authority", details: "missing_host_header",
                                 flags: .downstreamProtocolError)
            }
        }
        if config.stripMatchingHostPort, let host = head.headers.first(name: "host"), let colon = host.lastIndex(of: ":"),
           !host.hasSuffix("]"), let port = Int(host[host.index(after: colon)...]), port == connection.localAddress?.port {
            head.headers.replaceOrAdd(name: "host", value: String(host[..<colon]))
        }

        // Hop-by-hop headers never travel upstream; the codec re-frames bodies itself.
        if !scan.isDisjoint(with: HeaderScan.hopByHop) { isUpgrade = stripHopByHop(&head.headers, scan: scan) }

        if !scan.contains(.xForwardedProto) {
            head.headers.add(contentsOf: connection.tls == nil ? Self.forwardedHTTP : Self.forwardedHTTPS)
        }
        if config.useRemoteAddress, !config.skipXffAppend, let ip = connection.remoteAddress?.ipAddress {
            if scan.contains(.xForwardedFor), let existing = head.headers.first(name: "x-forwarded-for") {
                head.headers.replaceOrAdd(name: "x-forwarded-for", value: existing + "," + ip)  // Envoy's separator
            } else {
                head.headers.add(name: "x-forwarded-for", value: ip)
            }
        }
        markTrust(&head.headers, scan: scan, config: config, trustedRemote: trustedRemote)
        if config.generateRequestID {
            let external = config.useRemoteAddress
            if !scan.contains(.xRequestID) {
                head.headers.add(name: "x-request-id", value: RequestID.make(using: &random.generator))
            } else if external && !config.preserveExternalRequestID {
                head.headers.replaceOrAdd(name: "x-request-id", value: RequestID.make(using: &random.generator))
            }
        }
        if let via = config.via {
            if scan.contains(.via), let existing = head.headers.first(name: "via") {
                head.headers.replaceOrAdd(name: "via", value: existing + ", " + via)
            } else {
                head.headers.add(name: "via", value: via)
            }
        }
        // Expect: 100-continue is answered here (unless proxied), as Envoy does by default.
        if scan.contains(.expect), !config.proxy100Continue, let expect = head.headers.first(name: "expect"),
           expect.lowercased() == "100-continue" {
            head.headers.remove(name: "expect")
            codec.write100Continue()
        }
        return nil
    }

    /// Envoy's trust boundary. A request is internal only when the connection manager sees its
    /// client directly (`use_remote_address`, no x-forwarded-for before ours) at an address of
    /// `internal_address_config` (none by default): it is marked `x-envoy-internal: true`. Any
    /// other request loses the headers that steer Envoy, and at the edge (`use_remote_address`)
    /// it gets `x-envoy-external-address`.
    static func markTrust(_ headers: inout HTTPHeaders, scan: HeaderScan, config: HTTPConnectionManagerConfig,
                          trustedRemote: SocketAddress?) {
        let remote = trustedRemote
        let isInternal = config.useRemoteAddress && !scan.contains(.xForwardedFor)
            && (remote.map { a in config.internalAddresses.contains { $0.contains(a) } } ?? false)
        let sawEnvoyHeaders = scan.contains(.xEnvoy)
        if isInternal {
            if sawEnvoyHeaders {
                headers.replaceOrAdd(name: "x-envoy-internal", value: "true")
            } else {
                headers.add(name: "x-envoy-internal", value: "true")
            }
            return
        }
        if sawEnvoyHeaders { EnvoyControlHeaders.strip(&headers, edge: config.useRemoteAddress) }
        if config.useRemoteAddress, let ip = remote?.ipAddress {
            if sawEnvoyHeaders {
                headers.replaceOrAdd(name: "x-envoy-external-address", value: ip)
            } else {
                headers.add(name: "x-envoy-external-address", value: ip)
            }
        }
    }

    /// Removes hop-by-hop headers, keeping `upgrade` (with `connection: upgrade`) for upgrade
    /// requests and `te: trailers`. Returns whether the request is an upgrade.
    @discardableResult
    static func stripHopByHop(_ headers: inout HTTPHeaders, scan: HeaderScan) -> Bool {
        var isUpgrade = false
        if scan.contains(.upgrade), scan.contains(.connection) {
            isUpgrade = headers["connection"].contains { value in
                value.split(separator: ",").contains { $0.trimmingCharacters(in: .whitespaces).lowercased() == "upgrade" }
            }
        }
        if scan.contains(.te) {
            if let te = headers.first(name: "te"), te.lowercased().contains("trailers") {
                headers.replaceOrAdd(name: "te", value: "trailers")
            } else {
                headers.remove(name: "te")
            }
        }
        if scan.contains(.keepAlive) { headers.remove(name: "keep-alive") }
        if scan.contains(.proxyConnection) { headers.remove(name: "proxy-connection") }
        if scan.contains(.connection) { headers.remove(name: "connection") }
        if isUpgrade {
            headers.add(name: "connection", value: "upgrade")
        } else if scan.contains(.upgrade) {
            headers.remove(name: "upgrade")
        }
        return isUpgrade
    }
}
