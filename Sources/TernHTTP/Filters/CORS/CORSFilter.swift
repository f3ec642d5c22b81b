import NIOHTTP1
import TernNetwork

/// `envoy.filters.http.cors` for one stream, as Envoy does it:
///
/// - decode: on a forwarding route with a policy that is enabled (or shadow-enabled), a request
///   with an `Origin` counts `origin_valid` or `origin_invalid`; a shadow-only policy stops there.
///   A preflight (`OPTIONS` with `Origin` and `Access-Control-Request-Method`) is answered
///   locally with 200 and the policy's `access-control-allow-*` headers, unless the origin is not
///   allowed and `forward_not_matching_preflights` (default true) sends it on to the upstream.
/// - encode: a response to a request whose origin was allowed gets
///   `access-control-allow-origin` (the request's origin, echoed), `-allow-credentials` and
///   `-expose-headers`; that includes the local preflight answer, which runs through here too.
final class CORSFilter: HTTPFilter {
    private let factory: CORSFilterFactory
    private var policy: CORSPolicy?
    /// The request's origin when the policy allowed it.
    private var allowedOrigin: String?
    private var isCORSRequest = false

    init(factory: CORSFilterFactory) {
        self.factory = factory
    }

    func decodeHeaders(_ head: inout HTTPRequestHead, endStream: Bool, stream: any HTTPFilterCallbacks) -> FilterHeadersStatus {
        // Only requests with an Origin are CORS requests: the cheap test comes first, so the
        // usual request costs one header lookup. Envoy acts only on routes with a route entry:
        // not on direct responses or redirects.
        guard let origin = head.headers.first(name: "origin"), !origin.isEmpty,
              let route = stream.route, case .forward = route.action,
              let policy = Self.policy(stream.perRouteConfigs(factory.name, as: CORSPolicy.self)) else { return .continueIteration }
        let random = stream.worker.state(WorkerRandom.self, make: WorkerRandom.init)
        let enabled = policy.enabled(random: random)
        let shadow = policy.shadowEnabled(random: random)
        guard enabled || shadow else { return .continueIteration }
        let worker = stream.worker.index
        let allowed = policy.isOriginAllowed(origin)
        if allowed {
            factory.stats.originValid.inc(worker: worker)
            allowedOrigin = origin
        } else {
            factory.stats.originInvalid.inc(worker: worker)
        }
        if shadow && !enabled { return .continueIteration }
        isCORSRequest = true
        self.policy = policy
        guard head.method == .OPTIONS,
              let requestMethod = head.headers.first(name: "access-control-request-method"), !requestMethod.isEmpty
        else { return .continueIteration }
        if !allowed && policy.forwardNotMatchingPreflights { return .continueIteration }
        var headers = HTTPHeaders()
        if allowed { headers.add(name: "access-control-allow-origin", value: origin) }
        if policy.allowCredentials { headers.add(name: "access-control-allow-credentials", value: "true") }
        if !policy.allowMethods.isEmpty {
            headers.add(name: "access-control-allow-methods", value: policy.allowMethods == "*" ? requestMethod : policy.allowMethods)
        }
        if !policy.allowHeaders.isEmpty {
            let value = policy.allowHeaders == "*"
                ? head.headers.first(name: "access-control-request-headers") ?? "" : policy.allowHeaders
            headers.add(name: "access-control-allow-headers", value: value)
        }
        if !policy.maxAge.isEmpty { headers.add(name: "access-control-max-age", value: policy.maxAge) }
        if policy.allowPrivateNetworkAccess, head.headers.first(name: "access-control-request-private-network") == "true" {
            headers.add(name: "access-control-allow-private-network", value: "true")
        }
        stream.info.responseCodeDetails = "cors_response"
        stream.encodeHeaders(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers), endStream: true)
        return .stopIteration
    }

    func encodeHeaders(_ head: inout HTTPResponseHead, endStream: Bool, stream: any HTTPFilterCallbacks) -> FilterHeadersStatus {
        guard isCORSRequest, let origin = allowedOrigin, let policy else { return .continueIteration }
        set(&head.headers, "access-control-allow-origin", origin)
        if policy.allowCredentials { set(&head.headers, "access-control-allow-credentials", "true") }
        if !policy.exposeHeaders.isEmpty { set(&head.headers, "access-control-expose-headers", policy.exposeHeaders) }
        return .continueIteration
    }

    /// The route's policy with the virtual host's filling the fields it leaves unset.
    static func policy(_ levels: [CORSPolicy]) -> CORSPolicy? {
        switch levels.count {
        case 0: nil
        case 1: levels[0]
        default: CORSPolicy(mostSpecificFirst: levels)
        }
    }

    /// Sets `name` to exactly `value`, leaving the header where it is when it already says so.
    private func set(_ headers: inout HTTPHeaders, _ name: String, _ value: String) {
        let current = headers[name]
        if current.count == 1, current[0] == value { return }
        headers.replaceOrAdd(name: name, value: value)
    }
}
