// Access logs as Envoy writes them: the file logger with a custom text format and with Envoy's
// default format, response flags for a missing route (NR) and a dead upstream (UF), a tcp_proxy
// session's line, and the stdout logger. `--file-flush-interval-msec 100` keeps the waits short;
// the tests poll the files until the lines are in.

import Foundation
import Testing
import TernTestSupport

@Suite("Access logs", .requires(.curl), .timeLimit(.minutes(3)), .proxyLogsOnFailure)
struct AccessLogTests {
    static let flushArguments = ["--file-flush-interval-msec", "100"]

    static let customFormat = "%REQ(:METHOD)% %REQ(X-FORWARDED-PROTO)% %RESPONSE_CODE% %RESPONSE_FLAGS% "
        + "%UPSTREAM_HOST% %BYTES_RECEIVED% %PROTOCOL%\\n"

    /// An `access_log` list entry for the file logger at `path`; `format` nil means Envoy's default.
    static func fileLogger(path: URL, format: String?) -> String {
        var yaml = """
            - name: envoy.access_loggers.file
              typed_config:
                "@type": type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog
                path: \(path.path)
            """
        if let format {
            yaml += """

                    log_format:
                      text_format_source:
                        inline_string: "\(format)"
                """
        }
        return yaml
    }

    /// Listener "ingress": `/ok` to the live upstream, `/dead` to a port nobody listens on, and
    /// nothing else (404, NR); `accessLog` is the HCM's `access_log` list.
    static func config(upstreamPort: Int, deadPort: Int, accessLog: String) -> String {
        let hosts = """
            - name: all
              domains: ["*"]
              routes:
              - match: { prefix: "/ok" }
                route: { cluster: svc }
              - match: { prefix: "/dead" }
                route: { cluster: dead }
            """
        return EnvoyConfig.bootstrap(
            listeners: [EnvoyConfig.httpListener(virtualHosts: hosts,
                                                 hcmExtra: "access_log:\n" + accessLog)],
            clusters: [EnvoyConfig.staticCluster(name: "svc", port: upstreamPort),
                       EnvoyConfig.staticCluster(name: "dead", port: deadPort)])
    }

    @Test("a custom text format and the default format log each request, NR and UF included")
    func httpAccessLogs() async throws {
        let upstream = try await UpstreamServer.start(.respond(body: "ok"), name: "logged")
        let deadPort = try await UnusedPort.next()
        let dir = try TemporaryDirectory(prefix: "access-log")
        let custom = dir.file("custom.log")
        let standard = dir.file("default.log")
        let accessLog = Self.fileLogger(path: custom, format: Self.customFormat) + "\n"
            + Self.fileLogger(path: standard, format: nil)
        let config = Self.config(upstreamPort: upstream.port, deadPort: deadPort, accessLog: accessLog)
        try await TernProcess.with(config: config, extraArguments: Self.flushArguments) { proxy in
            let port = try await proxy.listenerPort("ingress")
            #expect(try await Curl.get(port: port, "/ok").status == 200)
            #expect(try await Curl.request(port: port, "/ok/post", method: "POST", body: Array("hello".utf8)).status == 200)
            #expect(try await Curl.get(port: port, "/missing").status == 404)
            #expect(try await Curl.get(port: port, "/dead").status == 503)

            let lines = await TextFilePoller.waitForLines(custom, count: 4)
            #expect(lines == [
                "GET http 200 - 127.0.0.1:\(upstream.port) 0 HTTP/1.1",
                "POST http 200 - 127.0.0.1:\(upstream.port) 5 HTTP/1.1",
                "GET http 404 NR - 0 HTTP/1.1",
                "GET http 503 UF 127.0.0.1:\(deadPort) 0 HTTP/1.1",
            ], "\(lines)")

            let defaults = await TextFilePoller.waitForLines(standard, count: 4)
            try #require(defaults.count == 4, "\(defaults)")
            // [START_TIME] "METHOD PATH PROTOCOL" CODE FLAGS RX TX DURATION UPSTREAM_TIME "XFF" "UA" "ID" "AUTHORITY" "HOST"
            let ok = defaults[0]
            #expect(ok.hasPrefix("[") && ok.contains("] \"GET /ok HTTP/1.1\" 200 - 0 2 "), "\(ok)")
            #expect(ok.contains("\"-\" \"curl/"), "no X-Forwarded-For and curl's user agent: \(ok)")
            #expect(ok.hasSuffix("\"127.0.0.1:\(port)\" \"127.0.0.1:\(upstream.port)\""), "\(ok)")
            #expect(Self.requestID(in: ok) != nil, "no x-request-id in: \(ok)")
            #expect(defaults[1].contains("\"POST /ok/post HTTP/1.1\" 200 - 5 2 "), "\(defaults[1])")
            #expect(defaults[2].contains("\"GET /missing HTTP/1.1\" 404 NR 0 0 "), "\(defaults[2])")
            #expect(defaults[2].hasSuffix("\"-\""), "no upstream host for NR: \(defaults[2])")
            #expect(defaults[3].contains("\"GET /dead HTTP/1.1\" 503 UF 0 "), "\(defaults[3])")
            #expect(defaults[3].hasSuffix("\"127.0.0.1:\(deadPort)\""), "\(defaults[3])")
        }
        await upstream.stop()
        dir.remove()
    }

    @Test("%DOWNSTREAM_REMOTE_ADDRESS% is the client trusted from x-forwarded-for; the direct one is the peer")
    func downstreamAddresses() async throws {
        let upstream = try await UpstreamServer.start(.respond(body: "ok"), name: "logged")
        let deadPort = try await UnusedPort.next()
        let dir = try TemporaryDirectory(prefix: "access-log")
        let file = dir.file("addresses.log")
        let format = "%DOWNSTREAM_REMOTE_ADDRESS% %DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT% "
            + "%DOWNSTREAM_DIRECT_REMOTE_ADDRESS_WITHOUT_PORT%\\n"
        let config = Self.config(upstreamPort: upstream.port, deadPort: deadPort,
                                 accessLog: Self.fileLogger(path: file, format: format))
        try await TernProcess.with(config: config, extraArguments: Self.flushArguments) { proxy in
            let port = try await proxy.listenerPort("ingress")
            // use_remote_address is off: the last x-forwarded-for entry is the client.
            #expect(try await Curl.get(port: port, "/ok", headers: ["x-forwarded-for: 198.51.100.4, 203.0.113.7"]).status == 200)
            #expect(try await Curl.get(port: port, "/ok").status == 200)
            let lines = await TextFilePoller.waitForLines(file, count: 2)
            try #require(lines.count == 2, "\(lines)")
            #expect(lines[0] == "203.0.113.7:0 203.0.113.7 127.0.0.1", "\(lines[0])")
            let peer = lines[1].split(separator: " ").map(String.init)
            #expect(peer.count == 3 && peer[0].hasPrefix("127.0.0.1:") && peer[1] == "127.0.0.1" && peer[2] == "127.0.0.1",
                    "without x-forwarded-for the client is the peer: \(lines[1])")
        }
        await upstream.stop()
        dir.remove()
    }

    /// The x-request-id field of a default-format line (a UUID between quotes), if there is one.
    static func requestID(in line: String) -> String? {
        line.split(separator: "\"").map(String.init).first { part in
            let groups = part.split(separator: "-")
            return part.count == 36 && groups.map(\.count) == [8, 4, 4, 4, 12]
        }
    }

    @Test("a tcp_proxy session writes one line when it ends, custom and default format")
    func tcpProxyAccessLog() async throws {
        let echo = try await TCPEchoServer.start()
        let dir = try TemporaryDirectory(prefix: "tcp-log")
        let custom = dir.file("tcp.log")
        let standard = dir.file("tcp-default.log")
        let listener = """
            - name: tcp
              address:
                socket_address: { address: 127.0.0.1, port_value: 0 }
              filter_chains:
              - filters:
                - name: envoy.filters.network.tcp_proxy
                  typed_config:
                    "@type": type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy
                    stat_prefix: tcp
                    cluster: echo
                    access_log:
            \(EnvoyConfig.indent(Self.fileLogger(path: custom, format: "%UPSTREAM_HOST% %BYTES_RECEIVED% %BYTES_SENT% %RESPONSE_FLAGS% %UPSTREAM_CLUSTER%\\n"), 8))
            \(EnvoyConfig.indent(Self.fileLogger(path: standard, format: nil), 8))
            """
        let config = EnvoyConfig.bootstrap(listeners: [listener],
                                           clusters: [EnvoyConfig.staticCluster(name: "echo", port: echo.port)])
        try await TernProcess.with(config: config, extraArguments: Self.flushArguments) { proxy in
            let connection = try await RawConnection.connect(port: try await proxy.listenerPort("tcp"))
            try await connection.send("hello")
            try await connection.shutdownWrite()
            let read = try await connection.readUntilClose()
            await connection.close()
            #expect(read.text == "hello")

            let lines = await TextFilePoller.waitForLines(custom, count: 1)
            #expect(lines == ["127.0.0.1:\(echo.port) 5 5 - echo"], "\(lines)")
            let defaults = await TextFilePoller.waitForLines(standard, count: 1)
            let line = try #require(defaults.first, "no default-format line")
            #expect(line.contains("] \"- - -\" 0 - 5 5 "), "\(line)")
            #expect(line.hasSuffix("\"-\" \"-\" \"-\" \"-\" \"127.0.0.1:\(echo.port)\""), "\(line)")
        }
        await echo.stop()
        dir.remove()
    }

    @Test("the stdout logger writes to the process's standard output")
    func stdoutLogger() async throws {
        let upstream = try await UpstreamServer.start(.respond(body: "ok"))
        let accessLog = """
            - name: envoy.access_loggers.stdout
              typed_config:
                "@type": type.googleapis.com/envoy.extensions.access_loggers.stream.v3.StdoutAccessLog
                log_format:
                  text_format_source:
                    inline_string: "stdout-access %REQ(:METHOD)% %REQ(:PATH)% %RESPONSE_CODE%\\n"
            """
        let config = EnvoyConfig.httpProxy(to: upstream.port, hcmExtra: "access_log:\n" + accessLog)
        try await TernProcess.with(config: config, extraArguments: Self.flushArguments) { proxy in
            let port = try await proxy.listenerPort("ingress")
            #expect(try await Curl.get(port: port, "/to-stdout").status == 200)
            let stdout = proxy.directory.file("stdout.log")
            let lines = await TextFilePoller.waitForLines(stdout) { $0.contains("stdout-access GET /to-stdout 200") }
            #expect(lines.contains("stdout-access GET /to-stdout 200"), "stdout: \(lines.suffix(10))")
        }
        await upstream.stop()
    }
}
