import NIOHTTP1

/// The `x-envoy-*` request headers that steer Envoy itself (retries, timeouts, tracing, the
/// internal flag). Envoy believes them only from trusted (internal) clients: from anyone else the
/// connection manager removes them before any filter or the router reads them, and an edge proxy
/// (`use_remote_address`) also drops the caller-identity ones.
enum EnvoyControlHeaders {
    /// Removed from every request that is not internal.
    static let untrusted: [String] = [
        "x-envoy-retriable-status-codes", "x-envoy-retriable-header-names", "x-envoy-retry-on",
        "x-envoy-retry-grpc-on", "x-envoy-max-retries", "x-envoy-upstream-alt-stat-name",
        "x-envoy-upstream-rq-timeout-ms", "x-envoy-upstream-rq-per-try-timeout-ms",
        "x-envoy-upstream-rq-timeout-alt-response", "x-envoy-expected-rq-timeout-ms", "x-envoy-force-trace",
        "x-envoy-ip-tags", "x-envoy-original-url", "x-envoy-hedge-on-per-try-timeout", "x-envoy-internal",
    ]
    /// Also removed at the edge: who the caller claims to be.
    static let edgeOnly: [String] = [
        "x-envoy-decorator-operation", "x-envoy-downstream-service-cluster", "x-envoy-downstream-service-node",
    ]

    /// Strips what an untrusted request may not carry. Only called when the header scan saw an
    /// `x-envoy-` header, so ordinary requests pay nothing.
    static func strip(_ headers: inout HTTPHeaders, edge: Bool) {
        for name in untrusted where headers.contains(name: name) { headers.remove(name: name) }
        if edge {
            for name in edgeOnly where headers.contains(name: name) { headers.remove(name: name) }
        }
    }
}
