import NIOCore
import NIOHTTP1
import TernCore
import TernNetwork

/// `envoy.filters.http.local_ratelimit` on one stream. On the request headers it picks the
/// config (the route's `typed_per_filter_config` over the filter's), and when the filter is
/// enabled for this request takes a token: a request over the limit is answered with the
/// config's status (429) and `local_rate_limited`, flag `RL`, and never reaches the router,
/// unless the filter is not enforced for it (then it goes on, with
/// `request_headers_to_add_when_not_enforced`) or the refusing descriptor is in shadow mode.
final class LocalRateLimitFilter: HTTPFilter {
    private let factory: LocalRateLimitFilterFactory
    /// Set when `enable_x_ratelimit_headers` applies: the bucket the response reports on.
    private var reportBucket: LocalRateLimiter.Bucket?

    init(factory: LocalRateLimitFilterFactory) {
        self.factory = factory
    }

    func decodeHeaders(_ head: inout HTTPRequestHead, endStream: Bool, stream: any HTTPFilterCallbacks) -> FilterHeadersStatus {
        let config = stream.perRouteConfig(factory.name, as: LocalRateLimitConfig.self) ?? factory.config
        guard let enabled = config.enabled, enabled.sample(stream.worker.state(WorkerRandom.self, make: WorkerRandom.init)) else { return .continueIteration }
        let worker = stream.worker.index
        config.stats.enabled.inc(worker: worker)
        let now = RateLimitClock.now()
        let remote = stream.info.trustedDownstreamRemoteAddress ?? stream.connection.remoteAddress
        let descriptors = config.descriptors(for: head, remote: remote)
        let result = config.limiter(for: stream.connection, now: now).requestAllowed(descriptors, now: now)
        if config.xRateLimitHeaders { reportBucket = result.bucket }
        if result.allowed {
            config.stats.ok.inc(worker: worker)
            return .continueIteration
        }
        config.stats.rateLimited.inc(worker: worker)
        if result.shadowMode {
            config.stats.shadowMode.inc(worker: worker)
            return .continueIteration
        }
        guard let enforced = config.enforced, enforced.sample(stream.worker.state(WorkerRandom.self, make: WorkerRandom.init)) else {
            config.requestHeadersToAddWhenNotEnforced.apply(to: &head.headers, stream: stream.info)
            return .continueIteration
        }
        config.stats.enforced.inc(worker: worker)
        // Envoy's filter documentation promises `x-envoy-ratelimited` on this reply (so a
        // downstream Envoy's router treats it as rate limited); the 1.40 binary leaves it off.
        // Tern sends it, as the documentation and the issue ask.
        var headers: HTTPHeaders = ["x-envoy-ratelimited": "true"]
        config.responseHeadersToAdd.apply(to: &headers, stream: stream.info)
        stream.sendLocalReply(status: config.status, body: "local_rate_limited", details: "local_rate_limited",
                              flags: .rateLimited, headers: headers)
        return .stopIteration
    }

    /// `enable_x_ratelimit_headers: DRAFT_VERSION_03`: Envoy's `x-ratelimit-limit`, `-remaining`
    /// and `-reset` on every response the filter decided on, the local 429 included.
    func encodeHeaders(_ head: inout HTTPResponseHead, endStream: Bool, stream: any HTTPFilterCallbacks) -> FilterHeadersStatus {
        guard let bucket = reportBucket else { return .continueIteration }
        let now = RateLimitClock.now()
        let snapshot = bucket.snapshot()
        head.headers.add(name: "x-ratelimit-limit", value: String(bucket.config.maxTokens))
        head.headers.add(name: "x-ratelimit-remaining", value: String(snapshot.availableTokens(now: now)))
        head.headers.add(name: "x-ratelimit-reset", value: String(snapshot.resetSeconds(now: now)))
        return .continueIteration
    }
}
