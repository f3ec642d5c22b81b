import TernCore

/// Envoy's CORS stats under `http.<stat_prefix>.cors.`.
final class CORSStats: Sendable {
    let originValid: Counter
    let originInvalid: Counter

    init(root: StatScope, statPrefix: String) {
        let s = root.scope("http.", tag: "envoy_http_conn_manager_prefix", value: statPrefix).scope("cors.")
        originValid = s.counter("origin_valid")
        originInvalid = s.counter("origin_invalid")
    }
}
