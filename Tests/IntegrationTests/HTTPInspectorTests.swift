// http_inspector: one plaintext port, chains chosen by the protocol the client speaks. HTTP/1.x
// and h2c (prior knowledge) reach connection managers answering which chain they are; anything
// else falls through to a tcp_proxy echo, byte for byte.

import Foundation
import Testing
import TernTestSupport

@Suite("Listener filters: http_inspector", .requires(.curl), .timeLimit(.minutes(3)), .proxyLogsOnFailure)
struct HTTPInspectorTests {
    /// A connection manager answering `body` to everything.
    static func hcm(_ statPrefix: String, body: String, codec: String) -> String {
        """
        - name: envoy.filters.network.http_connection_manager
          typed_config:
            "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
            stat_prefix: \(statPrefix)
            codec_type: \(codec)
            http_protocol_options: { accept_http_10: true }
            route_config:
              virtual_hosts:
              - name: all
                domains: ["*"]
                routes:
                - match: { prefix: "/" }
                  direct_response: { status: 200, body: { inline_string: "\(body)" } }
            http_filters:
            - name: envoy.filters.http.router
              typed_config:
                "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router
        """
    }

    static func config(echoPort: Int) -> String {
        let listener = """
            - name: sniff
              stat_prefix: sniff
              address:
                socket_address: { address: 127.0.0.1, port_value: 0 }
              listener_filters:
              - name: envoy.filters.listener.tls_inspector
                typed_config:
                  "@type": type.googleapis.com/envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector
              - name: envoy.filters.listener.http_inspector
                typed_config:
                  "@type": type.googleapis.com/envoy.extensions.filters.listener.http_inspector.v3.HttpInspector
              filter_chains:
              - name: http1
                filter_chain_match: { application_protocols: ["http/1.1", "http/1.0"] }
                filters:
            \(EnvoyConfig.indent(hcm("h1", body: "http1 chain", codec: "HTTP1"), 4))
              - name: h2c
                filter_chain_match: { application_protocols: ["h2c"] }
                filters:
            \(EnvoyConfig.indent(hcm("h2c", body: "h2c chain", codec: "HTTP2"), 4))
              - name: other
                filters:
                - name: envoy.filters.network.tcp_proxy
                  typed_config:
                    "@type": type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy
                    stat_prefix: other
                    cluster: echo
            """
        return EnvoyConfig.bootstrap(listeners: [listener], clusters: [EnvoyConfig.staticCluster(name: "echo", port: echoPort)])
    }

    @Test("HTTP/1.1, HTTP/1.0 and h2c each reach their chain; other bytes the catch-all")
    func routesByDetectedProtocol() async throws {
        let echo = try await TCPEchoServer.start()
        try await TernProcess.with(config: Self.config(echoPort: echo.port)) { proxy in
            let port = try await proxy.listenerPort("sniff")
            let h1 = try await Curl.request(port: port, "/")
            #expect(h1.status == 200 && String(decoding: h1.body, as: UTF8.self) == "http1 chain")
            let h10 = try await Curl.request(port: port, "/", extra: ["--http1.0"])
            #expect(h10.status == 200 && String(decoding: h10.body, as: UTF8.self) == "http1 chain")
            let h2 = try await Curl.request(port: port, "/", http2: true)
            #expect(h2.status == 200 && String(decoding: h2.body, as: UTF8.self) == "h2c chain")
            #expect(h2.version == "HTTP/2")

            let connection = try await RawConnection.connect(port: port)
            let payload = Array("SSH-2.0-OpenSSH_9.2\r\n".utf8)
            try await connection.send(payload)
            let read = try await connection.read(timeout: .seconds(10)) { $0.count >= payload.count }
            await connection.close()
            #expect(read.bytes == payload)

            #expect(try await proxy.waitForStat("http_inspector.http11_found", atLeast: 1) == 1)
            #expect(try await proxy.stat("http_inspector.http10_found") == 1)
            #expect(try await proxy.stat("http_inspector.http2_found") == 1)
            #expect(try await proxy.waitForStat("http_inspector.http_not_found", atLeast: 1) == 1)
            #expect(try await proxy.stat("tls_inspector.tls_not_found") == 4)
        }
        await echo.stop()
    }
}
