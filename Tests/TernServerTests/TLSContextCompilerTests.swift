import Testing
import TernConfig
@testable import TernServer

/// `transport_socket` on clusters and filter chains: TLS contexts compile, raw_buffer is
/// plaintext, anything else is refused with the field's path. (Certificates themselves are
/// exercised by the integration tests, which make them with openssl.)
@Suite struct TLSContextCompilerTests {
    static func cluster(transportSocket: String) -> String {
        Configs.staticCluster(name: "backend") + "\n" + EnvoyIndent.by(4, transportSocket)
    }

    static let upstreamType = "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext"
    static let downstreamType = "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext"

    func compile(_ socket: String) throws -> Snapshot {
        try Configs.compile(Configs.bootstrap(listeners: [], clusters: [Self.cluster(transportSocket: socket)]))
    }

    func compileError(_ socket: String) -> CompileError? {
        Configs.error(Configs.bootstrap(listeners: [], clusters: [Self.cluster(transportSocket: socket)]))
    }

    @Test func rawBufferIsPlaintext() throws {
        let snapshot = try compile("transport_socket: { name: envoy.transport_sockets.raw_buffer }")
        #expect(snapshot.clusters[0].transportSocket == nil)
    }

    @Test func upstreamContextWithoutCertificatesCompilesAndWarns() throws {
        let snapshot = try compile("""
            transport_socket:
              name: envoy.transport_sockets.tls
              typed_config:
                "@type": \(Self.upstreamType)
                sni: 127.0.0.1
                allow_renegotiation: true
                common_tls_context: { alpn_protocols: [h2] }
            """)
        #expect(snapshot.clusters[0].transportSocket?.alpnProtocols == ["h2"])
        let paths = snapshot.warnings.map(\.path)
        #expect(paths.contains("static_resources.clusters[0].transport_socket.typed_config.sni"))
        #expect(paths.contains("static_resources.clusters[0].transport_socket.typed_config.allow_renegotiation"))
    }

    @Test func unknownTransportSocketIsRefused() throws {
        let error = try #require(compileError("transport_socket: { name: envoy.transport_sockets.alts }"))
        #expect(error.path == "static_resources.clusters[0].transport_socket.name")
        #expect(error.message.contains("envoy.transport_sockets.alts"))
    }

    @Test func downstreamContextOnAClusterIsRefused() throws {
        let error = try #require(compileError("""
            transport_socket:
              name: envoy.transport_sockets.tls
              typed_config: { "@type": \(Self.downstreamType) }
            """))
        #expect(error.path == "static_resources.clusters[0].transport_socket.typed_config")
        #expect(error.message.contains("UpstreamTlsContext"))
    }

    @Test func sanMatcherNeedsAType() throws {
        let error = try #require(compileError("""
            transport_socket:
              name: envoy.transport_sockets.tls
              typed_config:
                "@type": \(Self.upstreamType)
                common_tls_context:
                  validation_context:
                    match_typed_subject_alt_names:
                    - matcher: { exact: api.example.com }
            """))
        #expect(error.path == "static_resources.clusters[0].transport_socket.typed_config.common_tls_context"
            + ".validation_context.match_typed_subject_alt_names[0].san_type")
    }

    @Test func serverContextNeedsACertificate() throws {
        let listener = Configs.tcpProxyListener(name: "t", cluster: "backend").replacingOccurrences(
            of: "    - filters:", with: """
                - transport_socket:
                    name: envoy.transport_sockets.tls
                    typed_config: { "@type": \(Self.downstreamType) }
                  filters:
            """)
        let error = try #require(Configs.error(Configs.bootstrap(listeners: [listener],
                                                                 clusters: [Configs.staticCluster(name: "backend")])))
        #expect(error.path == "static_resources.listeners[0].filter_chains[0].transport_socket.typed_config"
            + ".common_tls_context.tls_certificates")
    }
}

/// Indents YAML written at column 0 into a list item's body.
enum EnvoyIndent {
    static func by(_ spaces: Int, _ text: String) -> String {
        let pad = String(repeating: " ", count: spaces)
        return text.split(separator: "\n", omittingEmptySubsequences: false).map { $0.isEmpty ? "" : pad + $0 }
            .joined(separator: "\n")
    }
}
