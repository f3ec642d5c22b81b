import Testing
import TernConfig
import TernUpstream
@testable import TernServer

/// The upstream HTTP version of a cluster, chosen as Envoy chooses it.
@Suite struct ClusterHTTPProtocolCompilerTests {
    static func typed(_ options: String) -> String {
        """
            typed_extension_protocol_options:
              envoy.extensions.upstreams.http.v3.HttpProtocolOptions:
                "@type": type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions
                \(options)
        """
    }

    @Test func http1ByDefault() throws {
        let (c, _) = try LoadBalancerCompilerTests.compile("")
        #expect(c.httpProtocol == .http1)
    }

    @Test func explicitHTTP2WithEnvoysDefaults() throws {
        let (c, snapshot) = try LoadBalancerCompilerTests.compile(Self.typed("explicit_http_config: { http2_protocol_options: {} }"))
        #expect(c.httpProtocol == .http2(UpstreamHTTP2Settings()))
        guard case .http2(let s) = c.httpProtocol else { return }
        #expect(s.maxConcurrentStreams == 2_147_483_647)
        #expect(s.initialStreamWindowSize == 268_435_456)
        #expect(s.initialConnectionWindowSize == 268_435_456)
        #expect(snapshot.warnings.isEmpty, "\(snapshot.warnings)")
    }

    @Test func http2SettingsAreCompiled() throws {
        let options = "{ max_concurrent_streams: 7, initial_stream_window_size: 65535, initial_connection_window_size: 1048576 }"
        let (c, _) = try LoadBalancerCompilerTests.compile(Self.typed("explicit_http_config: { http2_protocol_options: \(options) }"))
        var expected = UpstreamHTTP2Settings()
        expected.maxConcurrentStreams = 7
        expected.initialStreamWindowSize = 65535
        expected.initialConnectionWindowSize = 1_048_576
        #expect(c.httpProtocol == .http2(expected))
    }

    /// Flood limits guard downstream connections; on a cluster Tern ignores them and says so.
    @Test func upstreamFloodLimitsWarn() throws {
        let options = "{ max_outbound_frames: 50, max_inbound_priority_frames_per_stream: 5 }"
        let (_, snapshot) = try LoadBalancerCompilerTests.compile(Self.typed("explicit_http_config: { http2_protocol_options: \(options) }"))
        let paths = snapshot.warnings.map(\.path)
        #expect(paths.contains { $0.hasSuffix("explicit_http_config.http2_protocol_options.max_outbound_frames") }, "\(paths)")
        #expect(paths.contains { $0.hasSuffix("http2_protocol_options.max_inbound_priority_frames_per_stream") }, "\(paths)")
    }

    @Test func explicitHTTP1() throws {
        let (c, _) = try LoadBalancerCompilerTests.compile(Self.typed("explicit_http_config: { http_protocol_options: {} }"))
        #expect(c.httpProtocol == .http1)
    }

    @Test func useDownstreamProtocol() throws {
        let (c, _) = try LoadBalancerCompilerTests.compile(Self.typed("use_downstream_protocol_config: { http2_protocol_options: { max_concurrent_streams: 3 } }"))
        guard case .downstream(let s) = c.httpProtocol else {
            Issue.record("not use_downstream: \(c.httpProtocol)")
            return
        }
        #expect(s.maxConcurrentStreams == 3)
        #expect(c.httpProtocol.http2Settings(downstreamIsHTTP2: false) == nil)
        #expect(c.httpProtocol.http2Settings(downstreamIsHTTP2: true) == s)
    }

    @Test func deprecatedClusterFieldMeansHTTP2() throws {
        let (c, _) = try LoadBalancerCompilerTests.compile("    http2_protocol_options: {}")
        #expect(c.httpProtocol == .http2(UpstreamHTTP2Settings()))
        let (d, _) = try LoadBalancerCompilerTests.compile("    http2_protocol_options: {}\n    protocol_selection: USE_DOWNSTREAM_PROTOCOL")
        #expect(d.httpProtocol == .downstream(UpstreamHTTP2Settings()))
    }

    @Test func autoConfigWithoutTLSIsRejected() {
        let error = LoadBalancerCompilerTests.error(Self.typed("auto_config: {}"))
        #expect(error?.path == "static_resources.clusters[0].typed_extension_protocol_options[\"envoy.extensions.upstreams.http.v3.HttpProtocolOptions\"].auto_config")
    }

    @Test func windowOutOfRangeIsRejected() {
        let error = LoadBalancerCompilerTests.error(Self.typed("explicit_http_config: { http2_protocol_options: { initial_stream_window_size: 100 } }"))
        #expect(error?.path.hasSuffix("explicit_http_config.http2_protocol_options.initial_stream_window_size") == true)
    }

    @Test func typedAndDeprecatedTogetherAreRejected() {
        let error = LoadBalancerCompilerTests.error(Self.typed("explicit_http_config: { http2_protocol_options: {} }") + "\n    http2_protocol_options: {}")
        #expect(error?.path == "static_resources.clusters[0].http2_protocol_options")
    }
}
