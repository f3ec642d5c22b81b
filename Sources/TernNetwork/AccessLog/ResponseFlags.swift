/// Envoy's response flags (`%RESPONSE_FLAGS%`), with Envoy's short names in Envoy's order.
public struct ResponseFlags: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let failedLocalHealthCheck = ResponseFlags(rawValue: 1 << 0)        // LH
    public static let noHealthyUpstream = ResponseFlags(rawValue: 1 << 1)             // UH
    public static let upstreamRequestTimeout = ResponseFlags(rawValue: 1 << 2)        // UT
    public static let localReset = ResponseFlags(rawValue: 1 << 3)                    // LR
    public static let upstreamRemoteReset = ResponseFlags(rawValue: 1 << 4)           // UR
    public static let upstreamConnectionFailure = ResponseFlags(rawValue: 1 << 5)     // UF
    public static let upstreamConnectionTermination = ResponseFlags(rawValue: 1 << 6) // UC
    public static let upstreamOverflow = ResponseFlags(rawValue: 1 << 7)              // UO
    public static let noRouteFound = ResponseFlags(rawValue: 1 << 8)                  // NR
    public static let delayInjected = ResponseFlags(rawValue: 1 << 9)                 // DI
    public static let faultInjected = ResponseFlags(rawValue: 1 << 10)                // FI
    public static let rateLimited = ResponseFlags(rawValue: 1 << 11)                  // RL
    public static let unauthorizedExternalService = ResponseFlags(rawValue: 1 << 12)  // UAEX
    public static let rateLimitServiceError = ResponseFlags(rawValue: 1 << 13)        // RLSE
    public static let downstreamConnectionTermination = ResponseFlags(rawValue: 1 << 14) // DC
    public static let upstreamRetryLimitExceeded = ResponseFlags(rawValue: 1 << 15)   // URX
    public static let streamIdleTimeout = ResponseFlags(rawValue: 1 << 16)            // SI
    public static let invalidEnvoyRequestHeaders = ResponseFlags(rawValue: 1 << 17)   // IH
    public static let downstreamProtocolError = ResponseFlags(rawValue: 1 << 18)      // DPE
    public static let upstreamMaxStreamDurationReached = ResponseFlags(rawValue: 1 << 19) // UMSDR
    public static let responseFromCacheFilter = ResponseFlags(rawValue: 1 << 20)      // RFCF
    public static let noFilterConfigFound = ResponseFlags(rawValue: 1 << 21)          // NFCF
    public static let durationTimeout = ResponseFlags(rawValue: 1 << 22)              // DT
    public static let upstreamProtocolError = ResponseFlags(rawValue: 1 << 23)        // UPE
    public static let noClusterFound = ResponseFlags(rawValue: 1 << 24)               // NC
    public static let overloadManager = ResponseFlags(rawValue: 1 << 25)              // OM
    public static let dnsResolutionFailed = ResponseFlags(rawValue: 1 << 26)          // DF

    /// Short names in the order Envoy prints them.
    static let names: [(ResponseFlags, String)] = [
        (.failedLocalHealthCheck, "LH"), (.noHealthyUpstream, "UH"), (.upstreamRequestTimeout, "UT"),
        (.localReset, "LR"), (.upstreamRemoteReset, "UR"), (.upstreamConnectionFailure, "UF"),
        (.upstreamConnectionTermination, "UC"), (.upstreamOverflow, "UO"), (.noRouteFound, "NR"),
        (.delayInjected, "DI"), (.faultInjected, "FI"), (.rateLimited, "RL"),
        (.unauthorizedExternalService, "UAEX"), (.rateLimitServiceError, "RLSE"),
        (.downstreamConnectionTermination, "DC"), (.upstreamRetryLimitExceeded, "URX"),
        (.streamIdleTimeout, "SI"), (.invalidEnvoyRequestHeaders, "IH"), (.downstreamProtocolError, "DPE"),
        (.upstreamMaxStreamDurationReached, "UMSDR"), (.responseFromCacheFilter, "RFCF"),
        (.noFilterConfigFound, "NFCF"), (.durationTimeout, "DT"), (.upstreamProtocolError, "UPE"),
        (.noClusterFound, "NC"), (.overloadManager, "OM"), (.dnsResolutionFailed, "DF"),
    ]

    /// `UH,UF` style, or `-` when empty, as in Envoy's access log.
    public var shortString: String {
        if isEmpty { return "-" }
        return Self.names.filter { contains($0.0) }.map(\.1).joined(separator: ",")
    }
}
