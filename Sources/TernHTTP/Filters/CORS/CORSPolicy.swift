import TernConfig

/// A compiled `envoy.extensions.filters.http.cors.v3.CorsPolicy` from a virtual host's or route's
/// `typed_per_filter_config`. Immutable; shared by every worker.
///
/// Fields keep whether they were set: as in Envoy, a route's policy falls back field by field to
/// its virtual host's where it leaves one unset (`init(mostSpecificFirst:)`).
public final class CORSPolicy: Sendable {
    private let origins: [StringMatch]?
    private let methods: String?
    private let headers: String?
    private let expose: String?
    private let age: String?
    private let credentials: Bool?
    private let privateNetworkAccess: Bool?
    private let forwardNotMatching: Bool?
    /// `filter_enabled.default_value`; nil: enabled for every request.
    private let filterEnabled: FractionalPercent?
    /// `shadow_enabled.default_value`; nil: never shadowed.
    private let shadowEnabled: FractionalPercent?

    typealias Proto = Envoy_Extensions_Filters_Http_Cors_V3_CorsPolicy

    init(proto p: Proto, path: String) throws {
        let matchers = try p.allowOriginStringMatch.enumerated().map {
            try StringMatch(proto: $1, path: "\(path).allow_origin_string_match[\($0)]")
        }
        origins = matchers.isEmpty ? nil : matchers
        func text(_ s: String) -> String? { s.isEmpty ? nil : s }
        methods = text(p.allowMethods)
        headers = text(p.allowHeaders)
        expose = text(p.exposeHeaders)
        age = text(p.maxAge)
        credentials = p.hasAllowCredentials ? p.allowCredentials.value : nil
        privateNetworkAccess = p.hasAllowPrivateNetworkAccess ? p.allowPrivateNetworkAccess.value : nil
        forwardNotMatching = p.hasForwardNotMatchingPreflights ? p.forwardNotMatchingPreflights.value : nil
        filterEnabled = p.hasFilterEnabled
            ? try FractionalPercent(runtime: p.filterEnabled, path: path + ".filter_enabled") : nil
        shadowEnabled = p.hasShadowEnabled
            ? try FractionalPercent(runtime: p.shadowEnabled, path: path + ".shadow_enabled") : nil
    }

    /// The policy in effect for a request: each field from the most specific level that sets it.
    init(mostSpecificFirst levels: [CORSPolicy]) {
        func first<T>(_ field: (CORSPolicy) -> T?) -> T? {
            for level in levels { if let v = field(level) { return v } }
            return nil
        }
        origins = first(\.origins)
        methods = first(\.methods)
        headers = first(\.headers)
        expose = first(\.expose)
        age = first(\.age)
        credentials = first(\.credentials)
        privateNetworkAccess = first(\.privateNetworkAccess)
        forwardNotMatching = first(\.forwardNotMatching)
        filterEnabled = first(\.filterEnabled)
        shadowEnabled = first(\.shadowEnabled)
    }

    var allowOrigins: [StringMatch] { origins ?? [] }
    var allowMethods: String { methods ?? "" }
    var allowHeaders: String { headers ?? "" }
    var exposeHeaders: String { expose ?? "" }
    var maxAge: String { age ?? "" }
    var allowCredentials: Bool { credentials ?? false }
    var allowPrivateNetworkAccess: Bool { privateNetworkAccess ?? false }
    /// Envoy's default: a preflight from an origin that is not allowed goes to the upstream.
    var forwardNotMatchingPreflights: Bool { forwardNotMatching ?? true }

    /// Envoy's `isOriginAllowed`: a matcher that matches `*` allows every origin.
    func isOriginAllowed(_ origin: String) -> Bool {
        allowOrigins.contains { $0.matches("*") || $0.matches(origin) }
    }

    func enabled(random: WorkerRandom) -> Bool { filterEnabled?.sample(random) ?? true }
    func shadowEnabled(random: WorkerRandom) -> Bool { shadowEnabled?.sample(random) ?? false }
}
