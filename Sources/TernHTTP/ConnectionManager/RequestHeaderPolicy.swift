import Foundation
import NIOCore
import NIOHTTP1
import TernNetwork

/// What the connection manager does to every request's headers before the filters see them,
/// following Envoy's connection manager: reject what HTTP/1.1 forbids, normalise the target,
/// strip hop-by-hop headers, and set `x-forwarded-proto`, `x-forwarded-for`, `x-request-id`
/// and `via` as configured.
enum RequestHeaderPolicy {
    struct Rejection {
        let status: HTTPResponseStatus
        let body: String
        let details: String
        let flags: ResponseFlags
    }

    /// Returns a rejection for requests Envoy refuses; otherwise rewrites `head` in place.
    static func normalize(_ head: inout HTTPRequestHead, config: HTTPConnectionManagerConfig,
                          connection: DownstreamConnection, codec: any StreamCodec) -> Rejection? {
        if head.version.major == 1 && head.version.minor == 0 && !config.acceptHTTP10 {
            return Rejection(status: .upgradeRequired, body: "", details: "low_version", flags: .downstreamProtocolError)
        }
        // Absolute-form targets (`GET http://host/path`) become origin-form plus Host.
        if !head.uri.hasPrefix("/"), head.method != .CONNECT, head.uri != "*" {
            guard let schemeEnd = head.uri.range(of: "://") else {
                return Rejection(status: .badRequest, body: "Bad Request", details: "http1.codec_error", flags: .downstreamProtocolError)
            }
            let rest = head.uri[schemeEnd.upperBound...]
            let slash = rest.firstIndex(of: "/") ?? rest.endIndex
            head.headers.replaceOrAdd(name: "host", value: String(rest[..<slash]))
            head.uri = slash == rest.endIndex ? "/" : String(rest[slash...])
        }
        let hosts = head.headers["host"]
        if hosts.count > 1 {
            return Rejection(status: .badRequest, body: "Bad Request", details: "http1.codec_error", flags: .downstreamProtocolError)
        }
        if hosts.isEmpty {
            if head.version.minor == 0, let host = config.defaultHostForHTTP10 {
                head.headers.add(name: "host", value: host)
            } else if head.version.minor >= 1 {
                return Rejection(status: .badRequest, body: "missing required header: :authority", details: "missing_host_header",
                                 flags: .downstreamProtocolError)
            }
        }
        if config.stripMatchingHostPort, let host = head.headers.first(name: "host"), let colon = host.lastIndex(of: ":"),
           !host.hasSuffix("]"), let port = Int(host[host.index(after: colon)...]), port == connection.localAddress?.port {
            head.headers.replaceOrAdd(name: "host", value: String(host[..<colon]))
        }

        // Hop-by-hop headers never travel upstream; the codec re-frames bodies itself.
        var upgrade = head.headers.first(name: "upgrade")
        if upgrade != nil, !head.headers["connection"].contains(where: { $0.lowercased().split(separator: ",").contains { $0.trimmingCharacters(in: .whitespaces) == "upgrade" } }) {
            upgrade = nil
        }
        head.headers.remove(name: "keep-alive")
        head.headers.remove(name: "proxy-connection")
        if let te = head.headers.first(name: "te"), te.lowercased().contains("trailers") {
            head.headers.replaceOrAdd(name: "te", value: "trailers")
        } else {
            head.headers.remove(name: "te")
        }
        head.headers.remove(name: "connection")
        if upgrade == nil {
            head.headers.remove(name: "upgrade")
        } else {
            head.headers.add(name: "connection", value: "upgrade")
        }

        if !head.headers.contains(name: "x-forwarded-proto") {
            head.headers.add(name: "x-forwarded-proto", value: "http")
        }
        if config.useRemoteAddress, !config.skipXffAppend, let ip = connection.remoteAddress?.ipAddress {
            if let existing = head.headers.first(name: "x-forwarded-for") {
                head.headers.replaceOrAdd(name: "x-forwarded-for", value: existing + ", " + ip)
            } else {
                head.headers.add(name: "x-forwarded-for", value: ip)
            }
        }
        if config.generateRequestID {
            let external = config.useRemoteAddress
            if !head.headers.contains(name: "x-request-id") || (external && !config.preserveExternalRequestID) {
                let rng = connection.worker.state(WorkerRandom.self) { WorkerRandom() }
                head.headers.replaceOrAdd(name: "x-request-id", value: RequestID.make(using: &rng.generator))
            }
        }
        if let via = config.via {
            if let existing = head.headers.first(name: "via") {
                head.headers.replaceOrAdd(name: "via", value: existing + ", " + via)
            } else {
                head.headers.add(name: "via", value: via)
            }
        }
        // Expect: 100-continue is answered here (unless proxied), as Envoy does by default.
        if let expect = head.headers.first(name: "expect"), expect.lowercased() == "100-continue" {
            if !config.proxy100Continue {
                head.headers.remove(name: "expect")
                codec.write100Continue()
            }
        }
        return nil
    }
}
