// Listener filters and tls_inspector: the classic mesh SNI router. One listener inspects the
// ClientHello and picks a tcp_proxy chain by SNI, ALPN and transport protocol; Tern does not
// terminate TLS here (passthrough), so each TLS upstream sees the client's own handshake and
// answers with the SNI and ALPN it saw. Plaintext and garbage land on the raw_buffer chain.

import Foundation
import Testing
import TernTestSupport

@Suite("Listener filters: tls_inspector", .requires(.python, .openssl), .timeLimit(.minutes(3)), .proxyLogsOnFailure)
struct ListenerFilterTests {
    struct Upstreams {
        let a: PythonTLSEchoServer
        let b: PythonTLSEchoServer
        let plain: TCPEchoServer

        static func start() async throws -> Upstreams {
            Upstreams(a: try await PythonTLSEchoServer.start(name: "a"), b: try await PythonTLSEchoServer.start(name: "b"),
                      plain: try await TCPEchoServer.start())
        }

        func stop() async {
            await a.stop()
            await b.stop()
            await plain.stop()
        }
    }

    static func tcpProxy(_ cluster: String, accessLog: URL? = nil) -> String {
        var yaml = """
            - name: envoy.filters.network.tcp_proxy
              typed_config:
                "@type": type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy
                stat_prefix: \(cluster)
                cluster: \(cluster)
            """
        if let accessLog {
            yaml += """

                    access_log:
                    - name: envoy.access_loggers.file
                      typed_config:
                        "@type": type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog
                        path: \(accessLog.path)
                        log_format:
                          text_format_source:
                            inline_string: "sni=%REQUESTED_SERVER_NAME% upstream=%UPSTREAM_CLUSTER%\\n"
                """
        }
        return yaml
    }

    /// Listener "sni" (stat prefix "sni"): chains by exact and wildcard SNI, by ALPN for one
    /// name, any other TLS, and raw_buffer.
    static func config(_ u: Upstreams, timeout: String = "15s", continueOnTimeout: Bool = false,
                       accessLog: URL? = nil) -> String {
        let listener = """
            - name: sni
              stat_prefix: sni
              address:
                socket_address: { address: 127.0.0.1, port_value: 0 }
              listener_filters_timeout: \(timeout)
              continue_on_listener_filters_timeout: \(continueOnTimeout)
              listener_filters:
              - name: envoy.filters.listener.tls_inspector
                typed_config:
                  "@type": type.googleapis.com/envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector
              filter_chains:
              - name: exact
                filter_chain_match: { server_names: ["a.example.com"] }
                filters:
            \(EnvoyConfig.indent(tcpProxy("a", accessLog: accessLog), 4))
              - name: wildcard
                filter_chain_match: { server_names: ["*.b.example.com"] }
                filters:
            \(EnvoyConfig.indent(tcpProxy("b", accessLog: accessLog), 4))
              - name: alpn-h2
                filter_chain_match: { server_names: ["alpn.example.com"], application_protocols: ["h2"] }
                filters:
            \(EnvoyConfig.indent(tcpProxy("a"), 4))
              - name: alpn-other
                filter_chain_match: { server_names: ["alpn.example.com"] }
                filters:
            \(EnvoyConfig.indent(tcpProxy("b"), 4))
              - name: other-tls
                filter_chain_match: { transport_protocol: tls }
                filters:
            \(EnvoyConfig.indent(tcpProxy("b"), 4))
              - name: plaintext
                filter_chain_match: { transport_protocol: raw_buffer }
                filters:
            \(EnvoyConfig.indent(tcpProxy("plain"), 4))
            """
        return EnvoyConfig.bootstrap(
            listeners: [listener],
            clusters: [EnvoyConfig.staticCluster(name: "a", port: u.a.port), EnvoyConfig.staticCluster(name: "b", port: u.b.port),
                       EnvoyConfig.staticCluster(name: "plain", port: u.plain.port)])
    }

    @Test("SNI picks the chain, exact before wildcard, and the ClientHello reaches the upstream untouched")
    func routesBySNI() async throws {
        let u = try await Upstreams.start()
        try await TernProcess.with(config: Self.config(u)) { proxy in
            let port = try await proxy.listenerPort("sni")
            let exact = try await PythonTLSEchoServer.exchange(port: port, serverName: "a.example.com", alpn: ["h2"])
            #expect(exact == "a|sni=a.example.com|alpn=h2|ping")
            let wild = try await PythonTLSEchoServer.exchange(port: port, serverName: "X.B.example.com")
            #expect(wild.hasPrefix("b|sni=") && wild.lowercased() == "b|sni=x.b.example.com|alpn=|ping")
            let none = try await PythonTLSEchoServer.exchange(port: port, serverName: "")
            #expect(none == "b|sni=|alpn=|ping", "TLS without a matching SNI: the transport_protocol tls chain")
            let unknown = try await PythonTLSEchoServer.exchange(port: port, serverName: "b.example.com")
            #expect(unknown == "b|sni=b.example.com|alpn=|ping", "a wildcard does not cover its bare domain")

            #expect(try await proxy.waitForStat("tls_inspector.tls_found", atLeast: 4) == 4)
            #expect(try await proxy.stat("tls_inspector.sni_found") == 3)
            #expect(try await proxy.stat("tls_inspector.sni_not_found") == 1)
            #expect(try await proxy.stat("tls_inspector.alpn_found") == 1)
            #expect(try await proxy.stat("tls_inspector.alpn_not_found") == 3)
            #expect(try await proxy.stat("tls_inspector.tls_not_found") == 0)
            #expect(try await proxy.waitForStat("tcp.a.downstream_cx_total", atLeast: 1) == 1)
            #expect(try await proxy.waitForStat("tcp.b.downstream_cx_total", atLeast: 3) == 3)
            #expect(try await proxy.stat("listener.sni.downstream_cx_total") == 4)
        }
        await u.stop()
    }

    @Test("for one server name, the client's ALPN chooses between chains")
    func routesByALPN() async throws {
        let u = try await Upstreams.start()
        try await TernProcess.with(config: Self.config(u)) { proxy in
            let port = try await proxy.listenerPort("sni")
            let h2 = try await PythonTLSEchoServer.exchange(port: port, serverName: "alpn.example.com", alpn: ["h2", "http/1.1"])
            #expect(h2 == "a|sni=alpn.example.com|alpn=h2|ping")
            let h1 = try await PythonTLSEchoServer.exchange(port: port, serverName: "alpn.example.com", alpn: ["http/1.1"])
            #expect(h1 == "b|sni=alpn.example.com|alpn=http/1.1|ping")
            #expect(try await proxy.waitForStat("tls_inspector.alpn_found", atLeast: 2) == 2)
        }
        await u.stop()
    }

    @Test("a ClientHello dribbled out in 40-byte writes is still routed by its SNI")
    func splitClientHello() async throws {
        let u = try await Upstreams.start()
        try await TernProcess.with(config: Self.config(u)) { proxy in
            let port = try await proxy.listenerPort("sni")
            let reply = try await PythonTLSEchoServer.exchange(port: port, serverName: "a.example.com", alpn: ["h2"],
                                                               helloChunk: 40, message: "slow hello")
            #expect(reply == "a|sni=a.example.com|alpn=h2|slow hello")
            #expect(try await proxy.waitForStat("tls_inspector.sni_found", atLeast: 1) == 1)
        }
        await u.stop()
    }

    @Test("plaintext and TLS-looking garbage go to the raw_buffer chain, byte for byte")
    func plaintextAndGarbage() async throws {
        let u = try await Upstreams.start()
        try await TernProcess.with(config: Self.config(u)) { proxy in
            let port = try await proxy.listenerPort("sni")
            // A handshake record holding a one-byte "ClientHello": TLS's first bytes, not TLS.
            let garbage: [UInt8] = [0x16, 0x03, 0x01, 0x00, 0x05, 0x01, 0x00, 0x00, 0x01, 0x00, 0xFF, 0x00, 0x7F]
            for payload in [Array("hello, plaintext\n".utf8), garbage] {
                let connection = try await RawConnection.connect(port: port)
                try await connection.send(payload)
                let read = try await connection.read(timeout: .seconds(10)) { $0.count >= payload.count }
                await connection.close()
                #expect(read.bytes == payload)
            }
            #expect(try await proxy.waitForStat("tls_inspector.tls_not_found", atLeast: 2) == 2)
            #expect(try await proxy.stat("tls_inspector.tls_found") == 0)
            #expect(try await proxy.waitForStat("tcp.plain.downstream_cx_total", atLeast: 2) == 2)
            #expect(u.plain.connectionCount == 2)
        }
        await u.stop()
    }

    @Test("an incomplete ClientHello is closed at listener_filters_timeout, before any upstream connection")
    func timeoutCloses() async throws {
        let u = try await Upstreams.start()
        try await TernProcess.with(config: Self.config(u, timeout: "1s")) { proxy in
            let connection = try await RawConnection.connect(port: try await proxy.listenerPort("sni"))
            try await connection.send([0x16, 0x03, 0x01, 0x02])
            let read = try await connection.readUntilClose(timeout: .seconds(20))
            await connection.close()
            #expect(read.peerClosed && !read.timedOut && read.bytes.isEmpty)
            #expect(try await proxy.waitForStat("listener.sni.downstream_pre_cx_timeout", atLeast: 1) == 1)
            #expect(try await proxy.stat("listener.sni.downstream_cx_total") == 0)
            #expect(try await proxy.stat("listener.sni.downstream_pre_cx_active") == 0)
            #expect(try await proxy.stat("cluster.plain.upstream_cx_total") == 0)
            #expect(try await proxy.stat("cluster.b.upstream_cx_total") == 0)
        }
        await u.stop()
    }

    @Test("continue_on_listener_filters_timeout: a client that waits for the server lands on raw_buffer")
    func timeoutContinues() async throws {
        let u = try await Upstreams.start()
        try await TernProcess.with(config: Self.config(u, timeout: "1s", continueOnTimeout: true)) { proxy in
            let connection = try await RawConnection.connect(port: try await proxy.listenerPort("sni"))
            // Server-first protocols (MySQL, SMTP) send nothing until the server speaks.
            #expect(try await proxy.waitForStat("listener.sni.downstream_pre_cx_timeout", atLeast: 1, timeout: .seconds(20)) == 1)
            try await connection.send("late words")
            let read = try await connection.read(timeout: .seconds(10)) { $0.count >= 10 }
            await connection.close()
            #expect(read.text == "late words")
            #expect(try await proxy.waitForStat("tcp.plain.downstream_cx_total", atLeast: 1) == 1)
        }
        await u.stop()
    }

    @Test("a client that half-closes mid-ClientHello is counted as a listener-filter remote close")
    func remoteCloseDuringInspection() async throws {
        let u = try await Upstreams.start()
        try await TernProcess.with(config: Self.config(u)) { proxy in
            let connection = try await RawConnection.connect(port: try await proxy.listenerPort("sni"))
            try await connection.send([0x16, 0x03, 0x01])
            try await connection.shutdownWrite()
            let read = try await connection.readUntilClose(timeout: .seconds(20))
            await connection.close()
            #expect(read.peerClosed && !read.timedOut && read.bytes.isEmpty)
            #expect(try await proxy.waitForStat("listener.sni.downstream_listener_filter_remote_close", atLeast: 1) == 1)
            #expect(try await proxy.stat("listener.sni.downstream_cx_total") == 0)
        }
        await u.stop()
    }

    @Test("%REQUESTED_SERVER_NAME% logs the SNI tls_inspector found")
    func requestedServerNameInAccessLog() async throws {
        let u = try await Upstreams.start()
        let dir = try TemporaryDirectory(prefix: "sni-log")
        let log = dir.file("access.log")
        try await TernProcess.with(config: Self.config(u, accessLog: log)) { proxy in
            let port = try await proxy.listenerPort("sni")
            _ = try await PythonTLSEchoServer.exchange(port: port, serverName: "a.example.com")
            _ = try await PythonTLSEchoServer.exchange(port: port, serverName: "Deep.B.Example.com")
            let lines = await TextFilePoller.waitForLines(log, count: 2, timeout: .seconds(20))
            #expect(Set(lines) == ["sni=a.example.com upstream=a", "sni=deep.b.example.com upstream=b"])
        }
        dir.remove()
        await u.stop()
    }
}
