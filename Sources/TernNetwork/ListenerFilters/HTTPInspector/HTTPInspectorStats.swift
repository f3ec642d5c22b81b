import TernCore

/// Envoy's `http_inspector.*` stats (rooted at the server's scope, like tls_inspector's).
public final class HTTPInspectorStats: Sendable {
    public let readError: Counter
    public let http10Found: Counter
    public let http11Found: Counter
    public let http2Found: Counter
    public let httpNotFound: Counter

    public init(root: StatScope) {
        let s = root.scope("http_inspector.")
        readError = s.counter("read_error")
        http10Found = s.counter("http10_found")
        http11Found = s.counter("http11_found")
        http2Found = s.counter("http2_found")
        httpNotFound = s.counter("http_not_found")
    }
}
