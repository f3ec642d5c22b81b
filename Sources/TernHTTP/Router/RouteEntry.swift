import NIOCore
import NIOHTTP1
import TernUpstream

/// One compiled route: when it matches and what it does. Shared by every worker (immutable).
public final class RouteEntry: Sendable {
    /// What a matched route does.
    public enum Action: Sendable {
        case forward(ForwardAction)
        case redirect(RedirectAction)
        case directResponse(status: Int, body: String)
    }

    public let name: String
    public let virtualHostName: String
    let match: RouteMatchRule
    public let action: Action
    /// Request header mutations, innermost level first (route, then virtual host, then route configuration).
    public let requestMutations: [HeaderMutations]
    public let responseMutations: [HeaderMutations]
    /// `typed_per_filter_config`, compiled by each filter that understands it, by filter name:
    /// the most specific level's (the route's over its virtual host's).
    public let perFilterConfig: [String: any Sendable]
    /// Every level's config by filter name, most specific first, for filters that combine
    /// levels (CORS falls back field by field, as in Envoy). Only names set at both levels.
    public let perFilterConfigLevels: [String: [any Sendable]]

    init(name: String, virtualHostName: String, match: RouteMatchRule, action: Action,
         requestMutations: [HeaderMutations], responseMutations: [HeaderMutations],
         routeFilterConfig: [String: any Sendable], virtualHostFilterConfig: [String: any Sendable]) {
        self.name = name
        self.virtualHostName = virtualHostName
        self.match = match
        self.action = action
        self.requestMutations = requestMutations.filter { !$0.isEmpty }
        self.responseMutations = responseMutations.filter { !$0.isEmpty }
        self.perFilterConfig = virtualHostFilterConfig.merging(routeFilterConfig) { _, route in route }
        var levels: [String: [any Sendable]] = [:]
        for (name, route) in routeFilterConfig {
            if let virtualHost = virtualHostFilterConfig[name] { levels[name] = [route, virtualHost] }
        }
        self.perFilterConfigLevels = levels
    }
}

/// `route:` — forward to a cluster. A class: the router reads it on every request, and copying
/// a value this size would retain each of its fields. Settled at compile time and read-only
/// after; a request that needs other values (a grpc-timeout) gets its own copy (`withTimeout`).
public final class ForwardAction: @unchecked Sendable {
    public enum ClusterChoice: Sendable {
        case named(String)
        /// The cluster named by a request header (`cluster_header`).
        case fromHeader(String)
        case weighted([WeightedTarget], total: Int)
    }

    public enum HostRewrite: Sendable {
        case none
        case literal(String)
        /// `auto_host_rewrite`: the chosen host's name.
        case auto
        case fromHeader(String)
    }

    public let clusters: ClusterChoice
    public let clusterNotFoundStatus: Int
    public let prefixRewrite: String?
    let regexRewrite: RegexRewrite?
    public let hostRewrite: HostRewrite
    public let appendXForwardedHost: Bool
    /// Route timeout; nil when disabled (`0s`, or a route with `max_stream_duration`). Envoy's
    /// default is 15 s.
    public var timeout: TimeAmount?
    public let idleTimeout: TimeAmount?
    /// Per-route upgrade overrides (`websocket` → enabled).
    public let upgrades: [String: Bool]
    /// `hash_policy`, for RING_HASH and MAGLEV clusters; nil when the route has none.
    public var hashPolicy: HashPolicy? = nil
    /// `metadata_match` under `envoy.lb`, for subset load balancing; nil when the route has none.
    public var metadataMatch: LBMetadata? = nil
    /// `retry_policy` of the route, else of its virtual host; nil: no retries unless the request asks.
    public var retryPolicy: RetryPolicy? = nil
    /// The virtual host's `include_request_attempt_count`: send `x-envoy-attempt-count` upstream.
    public var includeAttemptCount = false
    /// `priority`: which circuit breakers the request counts against.
    public var priority: ResourcePriority = .default
    /// `request_mirror_policies`; nil when the route mirrors nothing.
    public let requestMirrorPolicies: RequestMirrorPolicies?
    /// `max_stream_duration`, or the deprecated `max_grpc_timeout`: how `grpc-timeout` bounds
    /// the request (GRPC/GRPCTimeoutPolicy); nil when the route sets neither.
    public var grpcTimeout: GRPCTimeoutPolicy? = nil
    /// `timeout` in milliseconds for `x-envoy-expected-rq-timeout-ms`.
    public var timeoutHeaderValue: String? { timeout.map { String($0.nanoseconds / 1_000_000) } }

    init(clusters: ClusterChoice, clusterNotFoundStatus: Int, prefixRewrite: String?, regexRewrite: RegexRewrite?,
         hostRewrite: HostRewrite, appendXForwardedHost: Bool, timeout: TimeAmount?, idleTimeout: TimeAmount?,
         upgrades: [String: Bool], requestMirrorPolicies: RequestMirrorPolicies?) {
        self.clusters = clusters
        self.clusterNotFoundStatus = clusterNotFoundStatus
        self.prefixRewrite = prefixRewrite
        self.regexRewrite = regexRewrite
        self.hostRewrite = hostRewrite
        self.appendXForwardedHost = appendXForwardedHost
        self.timeout = timeout
        self.idleTimeout = idleTimeout
        self.upgrades = upgrades
        self.requestMirrorPolicies = requestMirrorPolicies
    }

    /// A copy of this action with another route timeout (for one request).
    func withTimeout(_ timeout: TimeAmount?) -> ForwardAction {
        let copy = ForwardAction(clusters: clusters, clusterNotFoundStatus: clusterNotFoundStatus, prefixRewrite: prefixRewrite,
                                 regexRewrite: regexRewrite, hostRewrite: hostRewrite, appendXForwardedHost: appendXForwardedHost,
                                 timeout: timeout, idleTimeout: idleTimeout, upgrades: upgrades,
                                 requestMirrorPolicies: requestMirrorPolicies)
        copy.hashPolicy = hashPolicy
        copy.metadataMatch = metadataMatch
        copy.retryPolicy = retryPolicy
        copy.includeAttemptCount = includeAttemptCount
        copy.priority = priority
        copy.grpcTimeout = grpcTimeout
        return copy
    }
}

/// One entry of `weighted_clusters`.
public struct WeightedTarget: Sendable {
    public let name: String
    public let weight: Int
    public let requestMutations: HeaderMutations
    public let responseMutations: HeaderMutations
    public let hostRewriteLiteral: String?
    /// This cluster's `metadata_match` under `envoy.lb`, merged over the route's.
    public var metadataMatch: LBMetadata? = nil
}

/// `regex_rewrite`: pattern and substitution applied to the path (not the query).
struct RegexRewrite: @unchecked Sendable {
    let pattern: Regex<AnyRegexOutput>
    let substitution: String

    func apply(_ path: String) -> String {
        // Envoy substitutes every match; `\1`-style groups map to Swift's captures.
        path.replacing(pattern) { match in
            var out = ""
            var chars = substitution.makeIterator()
            while let c = chars.next() {
                if c == "\\", let d = chars.next() {
                    if let n = d.wholeNumberValue, n < match.output.count, let sub = match.output[n].substring {
                        out += sub
                    } else {
                        out.append(d)
                    }
                } else {
                    out.append(c)
                }
            }
            return out
        }
    }
}

/// `redirect:` — answer with a 3xx and a Location built from the request.
public struct RedirectAction: Sendable {
    public let scheme: String?
    public let host: String?
    public let port: Int?
    public let path: String?
    public let prefixRewrite: String?
    let regexRewrite: RegexRewrite?
    public let status: Int
    public let stripQuery: Bool
}
