import NIOCore
import SwiftProtobuf
import TernConfig
import TernNetwork

/// Compiles an `HttpConnectionManager` proto: the route table, the HTTP filter chain (looked up
/// in the registrations by type URL, then by name) and every connection-level setting with
/// Envoy's defaults.
package enum HTTPConnectionManagerCompiler {
    typealias HCM = Envoy_Extensions_Filters_Network_HttpConnectionManager_V3_HttpConnectionManager

    package static func compile(_ p: Envoy_Extensions_Filters_Network_HttpConnectionManager_V3_HttpConnectionManager,
                                path: String, context: CompileContext,
                                httpFilters registry: [HTTPFilterRegistration]) throws -> HTTPConnectionManagerConfig {
        guard !p.statPrefix.isEmpty else { throw CompileError(path + ".stat_prefix", "stat_prefix is required") }
        let routeConfig: RouteConfig
        switch p.routeSpecifier {
        case .routeConfig(let rc):
            routeConfig = try RouteConfigCompiler.compile(rc, path: path + ".route_config", context: context, httpFilters: registry)
        case .rds:
            throw CompileError(path + ".rds", "RDS needs xDS, which Tern does not implement yet; use route_config")
        default:
            throw CompileError(path, "one of route_config or rds is required")
        }
        let codec: HTTPConnectionManagerConfig.Codec
        switch p.codecType {
        case .http1: codec = .http1
        case .auto: codec = .auto
        case .http2: codec = .http2
        default:
            throw CompileError(path + ".codec_type", "codec type \(p.codecType) is not supported")
        }
        let filters = try compileFilters(p.httpFilters, path: path + ".http_filters", statPrefix: "http.\(p.statPrefix).",
                                         context: context, registry: registry)
        let serverHeader: HTTPConnectionManagerConfig.ServerHeader
        switch p.serverHeaderTransformation {
        case .appendIfAbsent: serverHeader = .appendIfAbsent
        case .passThrough: serverHeader = .passThrough
        default: serverHeader = .overwrite
        }
        let headersKB = p.hasMaxRequestHeadersKb ? Int(p.maxRequestHeadersKb.value) : 60
        guard (1...8192).contains(headersKB) else {
            throw CompileError(path + ".max_request_headers_kb", "must be between 1 and 8192, got \(headersKB)")
        }
        func optionalTimeout(_ has: Bool, _ d: Google_Protobuf_Duration, default def: TimeAmount?) -> TimeAmount? {
            has ? (d.isZero ? nil : d.timeAmount) : def
        }
        let common = p.commonHTTPProtocolOptions
        var upgradeTypes: Set<String> = []
        for (i, u) in p.upgradeConfigs.enumerated() {
            if !u.filters.isEmpty { context.warn("\(path).upgrade_configs[\(i)].filters", "not implemented by Tern yet; ignored") }
            if !u.hasEnabled || u.enabled.value { upgradeTypes.insert(u.upgradeType.lowercased()) }
        }
        return HTTPConnectionManagerConfig(
            statPrefix: p.statPrefix,
            stats: HTTPConnectionManagerStats(root: context.stats.root, statPrefix: p.statPrefix),
            codec: codec, routeConfig: routeConfig, filters: filters,
            serverName: p.serverName.isEmpty ? "envoy" : p.serverName,
            serverHeader: serverHeader,
            maxRequestHeadersBytes: headersKB * 1024,
            streamIdleTimeout: optionalTimeout(p.hasStreamIdleTimeout, p.streamIdleTimeout, default: .minutes(5)),
            requestTimeout: optionalTimeout(p.hasRequestTimeout, p.requestTimeout, default: nil),
            requestHeadersTimeout: optionalTimeout(p.hasRequestHeadersTimeout, p.requestHeadersTimeout, default: nil),
            idleTimeout: optionalTimeout(common.hasIdleTimeout, common.idleTimeout, default: .hours(1)),
            maxRequestsPerConnection: common.hasMaxRequestsPerConnection && common.maxRequestsPerConnection.value > 0
                ? Int(common.maxRequestsPerConnection.value) : nil,
            drainTimeout: p.hasDrainTimeout ? p.drainTimeout.timeAmount : .seconds(5),
            accessLogs: try AccessLogCompiler.compile(p.accessLog, path: path + ".access_log", context: context),
            useRemoteAddress: p.useRemoteAddress.value,
            xffNumTrustedHops: Int(p.xffNumTrustedHops),
            skipXffAppend: p.skipXffAppend,
            via: p.via.isEmpty ? nil : p.via,
            generateRequestID: p.hasGenerateRequestID ? p.generateRequestID.value : true,
            preserveExternalRequestID: p.preserveExternalRequestID,
            alwaysSetRequestIDInResponse: p.alwaysSetRequestIDInResponse,
            upgradeTypes: upgradeTypes,
            proxy100Continue: p.proxy100Continue,
            acceptHTTP10: p.httpProtocolOptions.acceptHTTP10,
            defaultHostForHTTP10: p.httpProtocolOptions.defaultHostForHTTP10.isEmpty ? nil : p.httpProtocolOptions.defaultHostForHTTP10,
            stripMatchingHostPort: p.stripMatchingHostPort,
            bufferLimitBytes: 1024 * 1024,
            http2: try compileHTTP2(p.http2ProtocolOptions, path: path + ".http2_protocol_options",
                                    stats: HTTP2CodecStats(root: context.stats.root, statPrefix: p.statPrefix)),
            internalAddresses: try internalAddresses(p, path: path + ".internal_address_config", context: context))
    }

    /// `internal_address_config`: the CIDR ranges whose clients are internal. Tern listens on no
    /// Unix sockets, so `unix_sockets` has nothing to apply to.
    static func internalAddresses(_ p: HCM, path: String, context: CompileContext) throws -> [CIDRRange] {
        guard p.hasInternalAddressConfig else { return [] }
        let c = p.internalAddressConfig
        if c.unixSockets { context.warn(path + ".unix_sockets", "Tern has no Unix socket listeners; ignored") }
        return try c.cidrRanges.enumerated().map { i, r in
            let isV6 = r.addressPrefix.contains(":")
            let length = r.hasPrefixLen ? Int(r.prefixLen.value) : (isV6 ? 128 : 32)
            guard let range = CIDRRange(address: r.addressPrefix, prefixLength: length) else {
                throw CompileError("\(path).cidr_ranges[\(i)]", "'\(r.addressPrefix)/\(length)' is not a valid CIDR range")
            }
            return range
        }
    }

    /// The `http2_protocol_options` Tern implements (windows, streams, flood limits); the others
    /// warn at load (UnimplementedFields).
    static func compileHTTP2(_ p: Envoy_Config_Core_V3_Http2ProtocolOptions, path: String,
                             stats: HTTP2CodecStats? = nil) throws -> HTTP2Settings {
        var s = HTTP2Settings()
        s.codecStats = stats
        s.floodLimits = try HTTP2FloodLimitsCompiler.compile(p, path: path)
        if p.hasMaxConcurrentStreams {
            let v = p.maxConcurrentStreams.value
            guard (1...2_147_483_647).contains(v) else {
                throw CompileError(path + ".max_concurrent_streams", "must be between 1 and 2147483647, got \(v)")
            }
            s.maxConcurrentStreams = Int(v)
        }
        // Envoy's ranges: 65535 to 2147483647 for both windows.
        if p.hasInitialStreamWindowSize {
            let v = p.initialStreamWindowSize.value
            guard (65535...2_147_483_647).contains(v) else {
                throw CompileError(path + ".initial_stream_window_size", "must be between 65535 and 2147483647, got \(v)")
            }
            s.initialStreamWindowSize = Int(v)
        }
        if p.hasInitialConnectionWindowSize {
            let v = p.initialConnectionWindowSize.value
            guard (65535...2_147_483_647).contains(v) else {
                throw CompileError(path + ".initial_connection_window_size", "must be between 65535 and 2147483647, got \(v)")
            }
            s.initialConnectionWindowSize = Int(v)
        }
        return s
    }

    static func compileFilters(_ protos: [Envoy_Extensions_Filters_Network_HttpConnectionManager_V3_HttpFilter], path: String,
                               statPrefix: String, context: CompileContext, registry: [HTTPFilterRegistration]) throws -> [any HTTPFilterFactory] {
        var out: [any HTTPFilterFactory] = []
        for (i, f) in protos.enumerated() {
            let fpath = "\(path)[\(i)]"
            if f.disabled { continue }
            let reg: HTTPFilterRegistration?
            var any = Google_Protobuf_Any()
            if case .typedConfig(let a)? = f.configType {
                any = a
                reg = registry.first { $0.typeURL == a.typeURL } ?? registry.first { $0.name == f.name }
            } else {
                reg = registry.first { $0.name == f.name }
            }
            guard let reg else {
                if f.isOptional {
                    context.warn(fpath, "HTTP filter '\(f.name)' (\(any.typeURL)) is not supported by Tern; skipped because is_optional is set")
                    continue
                }
                throw CompileError(fpath, "unknown HTTP filter '\(f.name)'\(any.typeURL.isEmpty ? "" : " with type \(any.typeURL)")")
            }
            if any.typeURL.isEmpty { any = try Google_Protobuf_Any(message: reg.configType.init()) }
            out.append(try reg.compile(any, HTTPFilterCompileInput(name: f.name, statPrefix: statPrefix, path: fpath + ".typed_config", context: context)))
        }
        guard let last = out.last, last.isTerminal else {
            throw CompileError(path, "the last HTTP filter must be a terminal filter (envoy.filters.http.router)")
        }
        for (i, f) in out.dropLast().enumerated() where f.isTerminal {
            throw CompileError("\(path)[\(i)]", "a terminal filter must be the last HTTP filter")
        }
        return out
    }
}
