import NIOCore
import TernConfig
import TernCore

/// One entry of a route's `request_mirror_policies`, compiled: which cluster gets a copy of the
/// request, for what fraction of requests, and how the copy's host header is marked.
/// Shared by every worker (immutable).
public struct RequestMirrorPolicy: Sendable {
    /// Where the copy goes.
    public enum Target: Sendable, Equatable {
        case named(String)
        /// `cluster_header`: the cluster named by this request header's first value; no header,
        /// no copy.
        case fromHeader(String)
    }

    public let target: Target
    /// The fraction of requests mirrored: `numerator` out of `denominator`. Tern has no runtime,
    /// so `runtime_fraction.default_value` decides; without `runtime_fraction` every request is.
    public let numerator: UInt64
    public let denominator: UInt64
    /// False with `disable_shadow_host_suffix_append` or `host_rewrite_literal`.
    public let appendsShadowSuffix: Bool
    /// `host_rewrite_literal`: the copy's host header.
    public let hostRewriteLiteral: String?

    /// Whether a request whose random draw is `random` is mirrored. Envoy's runtime
    /// `featureEnabled` with the default value: `random % denominator < numerator`.
    func selects(random: UInt64) -> Bool {
        numerator >= denominator || random % denominator < numerator
    }

    /// Envoy's shadow authority: `-shadow` goes before the port, if there is one
    /// (`foo.example.com:8080` → `foo.example.com-shadow:8080`); an IPv6 literal's colons inside
    /// its brackets are not a port.
    public static func shadowHost(_ host: String) -> String {
        guard let colon = host.lastIndex(of: ":") else { return host + "-shadow" }
        if let bracket = host.lastIndex(of: "]"), bracket > colon { return host + "-shadow" }
        return host[..<colon] + "-shadow" + host[colon...]
    }
}

/// The stats Envoy keeps for giving up a shadow, made on first use because the primary cluster of
/// a request is only known per request. Rare: it runs only when a shadow is abandoned.
struct MirrorAbandonStats: Sendable {
    let store: StatsStore

    /// `cluster.<primary>.retry_or_shadow_abandoned`: Envoy charges the request's primary cluster.
    func abandoned(primaryStatName: String) -> Counter {
        store.root.scope("cluster.", tag: "envoy_cluster_name", value: primaryStatName).counter("retry_or_shadow_abandoned")
    }
}

/// Envoy's local address (`LocalInfo::address()` under the default `--local-address-ip-version v4`):
/// the first non-loopback IPv4 interface address, else 127.0.0.1. Envoy's async client, which
/// sends shadows, appends it to their `x-forwarded-for`.
enum LocalAddress {
    static let ipv4: String = {
        let devices = (try? System.enumerateDevices()) ?? []
        for device in devices {
            if case .v4 = device.address, let ip = device.address?.ipAddress, !ip.hasPrefix("127.") { return ip }
        }
        return "127.0.0.1"
    }()
}

/// A route's compiled `request_mirror_policies`.
public struct RequestMirrorPolicies: Sendable {
    public let policies: [RequestMirrorPolicy]
    let stats: MirrorAbandonStats
    /// Appended to each shadow's `x-forwarded-for`, read once at load (a syscall).
    let localAddress: String

    var isEmpty: Bool { policies.isEmpty }

    /// Compiles `request_mirror_policies` at `path`; nil when there are none. A named cluster that
    /// is not defined is an error, as Envoy's cluster validation of static routes does.
    static func compile(_ protos: [Envoy_Config_Route_V3_RouteAction.RequestMirrorPolicy], path: String,
                        context: CompileContext) throws -> RequestMirrorPolicies? {
        guard !protos.isEmpty else { return nil }
        var policies: [RequestMirrorPolicy] = []
        for (i, p) in protos.enumerated() {
            let ppath = "\(path)[\(i)]"
            let target: RequestMirrorPolicy.Target
            switch (p.cluster.isEmpty, p.clusterHeader.isEmpty) {
            case (false, false):
                throw CompileError(ppath, "Only one of cluster '\(p.cluster)' or cluster_header '\(p.clusterHeader)' "
                                       + "in request mirror policy can be specified")
            case (true, true):
                throw CompileError(ppath, "Exactly one of cluster or cluster_header in request mirror policy need to be specified")
            case (false, true):
                guard context.clusterNames.contains(p.cluster) else {
                    throw CompileError(ppath + ".cluster", "unknown shadow cluster '\(p.cluster)'")
                }
                target = .named(p.cluster)
            case (true, false):
                target = .fromHeader(p.clusterHeader.lowercased())
            }
            var numerator: UInt64 = 100
            var denominator: UInt64 = 100
            if p.hasRuntimeFraction {
                guard p.runtimeFraction.hasDefaultValue else {
                    throw CompileError(ppath + ".runtime_fraction.default_value", "is required")
                }
                let fraction = try FractionalPercent(runtime: p.runtimeFraction, path: ppath + ".runtime_fraction")
                numerator = UInt64(fraction.numerator)
                denominator = UInt64(fraction.denominator)
            }
            if p.hasTraceSampled { context.warn(ppath + ".trace_sampled", "not implemented by Tern yet; ignored") }
            let literal = p.hostRewriteLiteral.isEmpty ? nil : p.hostRewriteLiteral
            policies.append(RequestMirrorPolicy(
                target: target, numerator: numerator, denominator: denominator,
                // Envoy: host_rewrite_literal implies disable_shadow_host_suffix_append.
                appendsShadowSuffix: !p.disableShadowHostSuffixAppend && literal == nil,
                hostRewriteLiteral: literal))
        }
        return RequestMirrorPolicies(policies: policies, stats: MirrorAbandonStats(store: context.stats),
                                     localAddress: LocalAddress.ipv4)
    }
}
