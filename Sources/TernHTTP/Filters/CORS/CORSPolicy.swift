import TernConfig

/// A compiled `envoy.extensions.filters.http.cors.v3.CorsPolicy` from a virtual host's or route's
/// `typed_per_filter_config`. Immutable; shared by every worker.
///
/// Tern keeps the most specific level's policy whole (route over virtual host); Envoy falls back
/// field by field to the virtual host's policy where the route's leaves a field unset.
public struct CORSPolicy: Sendable {
    let allowOrigins: [StringMatch]
    let allowMethods: String
    let allowHeaders: String
    let exposeHeaders: String
    let maxAge: String
    let allowCredentials: Bool
    let allowPrivateNetworkAccess: Bool
    /// Envoy's default: a preflight from an origin that is not allowed goes to the upstream.
    let forwardNotMatchingPreflights: Bool
    /// `filter_enabled.default_value`; nil: enabled for every request.
    let filterEnabled: CORSFraction?
    /// `shadow_enabled.default_value`; nil: never shadowed.
    let shadowEnabled: CORSFraction?

    typealias Proto = Envoy_Extensions_Filters_Http_Cors_V3_CorsPolicy

    init(proto p: Proto, path: String) throws {
        allowOrigins = try p.allowOriginStringMatch.enumerated().map {
            try StringMatch(proto: $1, path: "\(path).allow_origin_string_match[\($0)]")
        }
        allowMethods = p.allowMethods
        allowHeaders = p.allowHeaders
        exposeHeaders = p.exposeHeaders
        maxAge = p.maxAge
        allowCredentials = p.hasAllowCredentials && p.allowCredentials.value
        allowPrivateNetworkAccess = p.hasAllowPrivateNetworkAccess && p.allowPrivateNetworkAccess.value
        forwardNotMatchingPreflights = p.hasForwardNotMatchingPreflights ? p.forwardNotMatchingPreflights.value : true
        filterEnabled = p.hasFilterEnabled
            ? try CORSFraction(p.filterEnabled.defaultValue, path: path + ".filter_enabled.default_value") : nil
        shadowEnabled = p.hasShadowEnabled
            ? try CORSFraction(p.shadowEnabled.defaultValue, path: path + ".shadow_enabled.default_value") : nil
    }

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
