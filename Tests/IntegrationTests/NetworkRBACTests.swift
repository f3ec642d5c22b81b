// envoy.filters.network.rbac in front of tcp_proxy: a denied connection is closed on its first
// bytes and the upstream receives none of them; an allowed one is proxied as usual.

import Foundation
import Testing
import TernTestSupport

@Suite("Network RBAC", .timeLimit(.minutes(3)), .proxyLogsOnFailure)
struct NetworkRBACTests {
    /// A tcp_proxy listener to cluster "echo" behind the network RBAC filter (`rbac`: the filter's
    /// typed_config body at column 0, without stat_prefix, which is `statPrefix`).
    static func listener(name: String, statPrefix: String, rbac: String) -> String {
        """
        - name: \(name)
          address:
            socket_address: { address: 127.0.0.1, port_value: 0 }
          filter_chains:
          - filters:
            - name: envoy.filters.network.rbac
              typed_config:
                "@type": type.googleapis.com/envoy.extensions.filters.network.rbac.v3.RBAC
                stat_prefix: \(statPrefix)
        \(EnvoyConfig.indent(rbac, 8))
            - name: envoy.filters.network.tcp_proxy
              typed_config:
                "@type": type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy
                stat_prefix: \(name)
                cluster: echo
        """
    }

    static func rules(action: String, cidr: String) -> String {
        """
        rules:
          action: \(action)
          policies:
            "by source":
              permissions: [ { any: true } ]
              principals: [ { direct_remote_ip: { address_prefix: \(cidr), prefix_len: 8 } } ]
        """
    }

    @Test("a denied connection is closed and the upstream receives nothing; an allowed one is proxied")
    func denyAndAllow() async throws {
        let echo = try await TCPEchoServer.start()
        let config = EnvoyConfig.bootstrap(
            listeners: [Self.listener(name: "denied", statPrefix: "guard", rbac: Self.rules(action: "ALLOW", cidr: "10.0.0.0")),
                        Self.listener(name: "allowed", statPrefix: "open.", rbac: Self.rules(action: "ALLOW", cidr: "127.0.0.0"))],
            clusters: [EnvoyConfig.staticCluster(name: "echo", port: echo.port)])
        try await TernProcess.with(config: config) { proxy in
            let denied = try await RawConnection.connect(port: try await proxy.listenerPort("denied"))
            try await denied.send("must not reach the upstream")
            let refused = try await denied.readUntilClose(timeout: .seconds(10))
            await denied.close()
            #expect(refused.bytes.isEmpty)
            #expect(refused.peerClosed || refused.wasReset, "the proxy closes a denied connection")
            #expect(!refused.timedOut)
            #expect(try await proxy.waitForStat("guard.rbac.denied", atLeast: 1) == 1)

            // The allowed connection comes after the denied one closed: by the time its echo is
            // back, bytes of the denied one would have been counted too.
            let message = "hello through rbac"
            let allowed = try await RawConnection.connect(port: try await proxy.listenerPort("allowed"))
            try await allowed.send(message)
            try await allowed.shutdownWrite()
            let echoed = try await allowed.readUntilClose(timeout: .seconds(10))
            await allowed.close()
            #expect(echoed.text == message)
            #expect(echo.bytesEchoed == message.utf8.count, "only the allowed connection's bytes reached the upstream")
            #expect(try await proxy.waitForStat("open.rbac.allowed", atLeast: 1) == 1)
            let stats = try await proxy.stats()
            #expect(stats["guard.rbac.allowed"] == 0)
            #expect(stats["open.rbac.denied"] == 0)
        }
        await echo.stop()
    }

    @Test("shadow rules count with their own prefix and never close a connection")
    func shadowRules() async throws {
        let echo = try await TCPEchoServer.start()
        let rbac = """
            shadow_rules_stat_prefix: trial
            shadow_rules:
              action: DENY
              policies:
                loopback:
                  permissions: [ { any: true } ]
                  principals: [ { direct_remote_ip: { address_prefix: 127.0.0.1, prefix_len: 32 } } ]
            """
        let config = EnvoyConfig.bootstrap(listeners: [Self.listener(name: "tcp", statPrefix: "net", rbac: rbac)],
                                           clusters: [EnvoyConfig.staticCluster(name: "echo", port: echo.port)])
        try await TernProcess.with(config: config) { proxy in
            let connection = try await RawConnection.connect(port: try await proxy.listenerPort("tcp"))
            try await connection.send("ping")
            try await connection.send("pong")
            try await connection.shutdownWrite()
            let read = try await connection.readUntilClose(timeout: .seconds(10))
            await connection.close()
            #expect(read.text == "pingpong")
            #expect(try await proxy.waitForStat("net.rbac.trial.shadow_denied", atLeast: 1) == 1,
                    "decided once, on the first bytes")
            let stats = try await proxy.stats()
            #expect(stats["net.rbac.allowed"] == 0 && stats["net.rbac.denied"] == 0, "no rules, nothing enforced")
        }
        await echo.stop()
    }

    @Test("header rules are refused in a network filter, naming the field", .ternOnly)
    func headerRuleIsAConfigError() async throws {
        let rbac = """
            rules:
              policies:
                p:
                  permissions: [ { header: { name: x-any, present_match: true } } ]
                  principals: [ { any: true } ]
            """
        let config = EnvoyConfig.bootstrap(listeners: [Self.listener(name: "tcp", statPrefix: "net", rbac: rbac)],
                                           clusters: [EnvoyConfig.staticCluster(name: "echo", port: 1)])
        let dir = try TemporaryDirectory(prefix: "rbac-validate")
        defer { dir.remove() }
        let output = try await ProcessRunner.run(try TestEnvironment.ternBinary(), ["validate", "-c", try dir.write("bad.yaml", config).path])
        let text = output.stdoutText + output.stderrText
        #expect(output.exitCode == 1, "\(text)")
        #expect(text.contains("filters[0].typed_config.rules.policies.p.permissions[0].header"), "\(text)")
    }
}
