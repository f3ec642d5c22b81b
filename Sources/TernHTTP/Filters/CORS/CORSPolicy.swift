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
    private let filterEnabled: CORSFraction?
    /// `shadow_enabled.default_value`; nil: never shadowed.
    private let shadowEnabled: CORSFraction?

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
            ? try CORSFraction(p.filterEnabled.defaultValue, path: path + ".filter_enabled.default_value") : nil
        shadowEnabled = p.hasShadowEnabled
            ? try CORSFraction(p.shadowEnabled.defaultValue, path: path + ".shadow_enabled.default_value") : nil
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

/// A `FractionalPercent` (numerator over 100, 10 000 or 1 000 000) sampled per request.
struct CORSFraction: Sendable {
    let numerator: UInt32
    let denominator: UInt32

    init(_ p: Envoy_Type_V3_FractionalPercent, path: String) throws {
        switch p.denominator {
        case .hundred: denominator = 100
        case .tenThousand: denominator = 10_000
        case .million: denominator = 1_000_000
        case .UNRECOGNIZED(let v): throw CompileError(path + ".denominator", "unknown denominator \(v)")
        }
        numerator = p.numerator
    }

    func sample(_ random: WorkerRandom) -> Bool {
        if numerator == 0 { return false }
        if numerator >= denominator { return true }
        return random.next(below: Int(denominator)) < Int(numerator)
    }
}
