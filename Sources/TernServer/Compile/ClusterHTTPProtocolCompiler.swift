import TernConfig
import TernUpstream

/// Compiles which HTTP version a cluster speaks upstream, as Envoy chooses it:
/// `typed_extension_protocol_options["envoy.extensions.upstreams.http.v3.HttpProtocolOptions"]`
/// with `explicit_http_config` (HTTP/1.1 or HTTP/2), `use_downstream_protocol_config` (the
/// request's own version) or `auto_config` (ALPN); without it, the deprecated cluster-level
/// `http2_protocol_options` (HTTP/2) with `protocol_selection: USE_DOWNSTREAM_PROTOCOL`.
struct ClusterHTTPProtocolCompiler {
    let context: CompileContext

    func compile(_ c: Envoy_Config_Cluster_V3_Cluster, path: String) throws -> UpstreamHTTPProtocol {
        let key = ClusterCompiler.httpProtocolOptionsKey
        if let any = c.typedExtensionProtocolOptions[key] {
            let p = "\(path).typed_extension_protocol_options[\"\(key)\"]"
            let o: Envoy_Extensions_Upstreams_Http_V3_HttpProtocolOptions
            do {
                o = try Envoy_Extensions_Upstreams_Http_V3_HttpProtocolOptions(unpackingAny: any)
            } catch {
                throw CompileError(p, "\(error)")
            }
            if c.hasHTTP2ProtocolOptions || c.hasHTTPProtocolOptions {
                // Envoy refuses the deprecated fields next to the typed options.
                throw CompileError(c.hasHTTP2ProtocolOptions ? "\(path).http2_protocol_options" : "\(path).http_protocol_options",
                                   "cannot be set together with typed_extension_protocol_options[\"\(key)\"]")
            }
            return try typed(o, hasTransportSocket: c.hasTransportSocket, path: p)
        }
        guard c.hasHTTP2ProtocolOptions else { return .http1 }
        let settings = try Self.http2(c.http2ProtocolOptions, path: "\(path).http2_protocol_options", context: context)
        return c.protocolSelection == .useDownstreamProtocol ? .downstream(settings) : .http2(settings)
    }

    private func typed(_ o: Envoy_Extensions_Upstreams_Http_V3_HttpProtocolOptions, hasTransportSocket: Bool,
                       path: String) throws -> UpstreamHTTPProtocol {
        switch o.upstreamProtocolOptions {
        case nil:
            return .http1
        case .explicitHTTPConfig(let e)?:
            switch e.protocolConfig {
            case .httpProtocolOptions?: return .http1
            case .http2ProtocolOptions(let h2)?:
                return .http2(try Self.http2(h2, path: "\(path).explicit_http_config.http2_protocol_options", context: context))
            case nil:
                throw CompileError("\(path).explicit_http_config", "one of http_protocol_options or http2_protocol_options is required")
            }
        case .useDownstreamProtocolConfig(let d)?:
            let settings = d.hasHTTP2ProtocolOptions
                ? try Self.http2(d.http2ProtocolOptions, path: "\(path).use_downstream_protocol_config.http2_protocol_options", context: context)
                : UpstreamHTTP2Settings()
            return .downstream(settings)
        case .autoConfig?:
            // Envoy needs ALPN from a TLS transport socket to choose; Tern does not negotiate it yet.
            guard hasTransportSocket else {
                throw CompileError("\(path).auto_config", "auto_config needs a TLS transport_socket with ALPN")
            }
            context.warn("\(path).auto_config", "ALPN protocol selection is not implemented by Tern yet; HTTP/1.1 is used")
            return .http1
        }
    }

    /// The upstream `http2_protocol_options` Tern acts on (ranges as Envoy's); the others warn
    /// at load (UnimplementedFields), and so do the flood limits, which Tern applies to
    /// downstream connections only.
    static func http2(_ p: Envoy_Config_Core_V3_Http2ProtocolOptions, path: String,
                      context: CompileContext) throws -> UpstreamHTTP2Settings {
        let floodLimits: [(Bool, String)] = [
            (p.hasMaxOutboundFrames, "max_outbound_frames"),
            (p.hasMaxOutboundControlFrames, "max_outbound_control_frames"),
            (p.hasMaxConsecutiveInboundFramesWithEmptyPayload, "max_consecutive_inbound_frames_with_empty_payload"),
            (p.hasMaxInboundPriorityFramesPerStream, "max_inbound_priority_frames_per_stream"),
            (p.hasMaxInboundWindowUpdateFramesPerDataFrameSent, "max_inbound_window_update_frames_per_data_frame_sent"),
        ]
        for (set, field) in floodLimits where set {
            context.warn("\(path).\(field)", "flood limits apply to downstream connections only in Tern; ignored on a cluster")
        }
        var s = UpstreamHTTP2Settings()
        if p.hasMaxConcurrentStreams {
            s.maxConcurrentStreams = try Self.value(p.maxConcurrentStreams.value, in: 1...2_147_483_647,
                                                    path: path + ".max_concurrent_streams")
        }
        if p.hasInitialStreamWindowSize {
            s.initialStreamWindowSize = try Self.value(p.initialStreamWindowSize.value, in: 65535...2_147_483_647,
                                                       path: path + ".initial_stream_window_size")
        }
        if p.hasInitialConnectionWindowSize {
            s.initialConnectionWindowSize = try Self.value(p.initialConnectionWindowSize.value, in: 65535...2_147_483_647,
                                                           path: path + ".initial_connection_window_size")
        }
        return s
    }

    private static func value(_ v: UInt32, in range: ClosedRange<UInt32>, path: String) throws -> Int {
        guard range.contains(v) else {
            throw CompileError(path, "must be between \(range.lowerBound) and \(range.upperBound), got \(v)")
        }
        return Int(v)
    }
}
