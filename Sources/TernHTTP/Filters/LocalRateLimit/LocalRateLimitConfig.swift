import NIOCore
import NIOHTTP1
import TernConfig
import TernCore
import TernNetwork

/// A compiled `envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit`, either the
/// filter's own or a route's / virtual host's `typed_per_filter_config` (which replaces it for
/// that route, with its own buckets shared by every stream on the route). Immutable; the buckets
/// it holds are lock-free.
final class LocalRateLimitConfig: Sendable {
    typealias Proto = Envoy_Extensions_Filters_Http_LocalRatelimit_V3_LocalRateLimit

    let stats: LocalRateLimitStats
    /// `status`: 429 unless set to a code of 400 or more, as Envoy.
    let status: HTTPResponseStatus
    /// `filter_enabled` / `filter_enforced`; nil (unset) is 0%, as in Envoy.
    let enabled: FractionalPercent?
    let enforced: FractionalPercent?
    let responseHeadersToAdd: HeaderMutations
    let requestHeadersToAddWhenNotEnforced: HeaderMutations
    /// `rate_limits`: descriptor makers, used only when `descriptors` is set (as Envoy).
    let policies: [RateLimitPolicy]
    let hasDescriptors: Bool
    let xRateLimitHeaders: Bool
    let spec: LocalRateLimiterSpec
    /// The limiter every worker shares; nil with `local_rate_limit_per_downstream_connection`.
    let sharedLimiter: LocalRateLimiter?

    /// `perRoute`: a route's config must have a `token_bucket` (Envoy refuses it otherwise).
    init(proto: Proto, path: String, context: CompileContext, perRoute: Bool) throws {
        guard !proto.statPrefix.isEmpty else { throw CompileError(path + ".stat_prefix", "required (must not be empty)") }
        if perRoute && !proto.hasTokenBucket {
            throw CompileError(path + ".token_bucket", "local rate limit token bucket must be set for per filter configs")
        }
        stats = LocalRateLimitStats(root: context.stats.root, statPrefix: proto.statPrefix)
        let code = Int(proto.status.code.rawValue)
        status = proto.hasStatus && code >= 400 ? HTTPResponseStatus(statusCode: code) : .tooManyRequests
        enabled = proto.hasFilterEnabled ? try FractionalPercent(runtime: proto.filterEnabled, path: path + ".filter_enabled") : nil
        enforced = proto.hasFilterEnforced ? try FractionalPercent(runtime: proto.filterEnforced, path: path + ".filter_enforced") : nil
        guard proto.responseHeadersToAdd.count <= 10 else {
            throw CompileError(path + ".response_headers_to_add", "at most 10 headers")
        }
        guard proto.requestHeadersToAddWhenNotEnforced.count <= 10 else {
            throw CompileError(path + ".request_headers_to_add_when_not_enforced", "at most 10 headers")
        }
        responseHeadersToAdd = try HeaderMutations(add: proto.responseHeadersToAdd, remove: [],
                                                   path: path + ".response_headers_to_add", context: context)
        requestHeadersToAddWhenNotEnforced = try HeaderMutations(
            add: proto.requestHeadersToAddWhenNotEnforced, remove: [],
            path: path + ".request_headers_to_add_when_not_enforced", context: context)
        policies = try proto.rateLimits.enumerated().map {
            try RateLimitPolicy(proto: $0.element, path: "\(path).rate_limits[\($0.offset)]", context: context)
        }
        hasDescriptors = !proto.descriptors.isEmpty
        if hasDescriptors && policies.isEmpty {
            context.warn(path + ".descriptors", "descriptors come only from this filter's rate_limits in Tern "
                         + "(route and virtual host rate_limits are not implemented); without them no descriptor matches")
        }
        if proto.stage > 10 { throw CompileError(path + ".stage", "must be at most 10") }
        if proto.stage != 0 {
            context.warn(path + ".stage", "selects route-level rate_limits, which Tern does not implement; ignored")
        }
        switch proto.enableXRatelimitHeaders {
        case .off: xRateLimitHeaders = false
        case .draftVersion03: xRateLimitHeaders = true
        case .UNRECOGNIZED(let v): throw CompileError(path + ".enable_x_ratelimit_headers", "unknown value \(v)")
        }
        spec = try LocalRateLimiterSpec(proto: proto, path: path, context: context)
        sharedLimiter = proto.localRateLimitPerDownstreamConnection ? nil : LocalRateLimiter(spec: spec, now: RateLimitClock.now())
    }

    /// The limiter for a request on `connection`: the shared one, or the connection's own
    /// (made on its first request, living as long as the connection).
    func limiter(for connection: DownstreamConnection, now: Int64) -> LocalRateLimiter {
        if let sharedLimiter { return sharedLimiter }
        let key = ObjectIdentifier(self)
        if let own = connection.filterState[key] as? LocalRateLimiter { return own }
        let made = LocalRateLimiter(spec: spec, now: now)
        connection.filterState[key] = made
        return made
    }

    /// The request's descriptors from `rate_limits` (none when no `descriptors` are configured).
    func descriptors(for head: HTTPRequestHead, remote: SocketAddress?) -> [RateLimitDescriptor] {
        guard hasDescriptors else { return [] }
        return policies.compactMap { $0.descriptor(for: head, remote: remote) }
    }
}
