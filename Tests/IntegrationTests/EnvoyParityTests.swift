// The same bootstrap through Tern and through Envoy 1.40, the same requests to both, and the
// answers compared field by field: status, body and the headers a client may act on. Where the
// other suites state Envoy's behaviour, this one checks it against Envoy itself.

import Foundation
import Testing
import TernTestSupport

@Suite("Parity with Envoy", .requires(.envoy, .curl), .timeLimit(.minutes(3)), .proxyLogsOnFailure)
struct EnvoyParityTests {
    /// Upstreams every scenario may point at.
    struct Upstreams: Sendable {
        var ok: Int
        var hang: Int
        var dead: Int
    }

    struct Scenario: Sendable, CustomTestStringConvertible {
        var name: String
        var config: @Sendable (Upstreams) -> String
        /// Each request: a path and curl arguments.
        var requests: [(path: String, arguments: [String])]
        /// Requests (by index) where Tern is known to answer differently today, and how.
        var ternDeviations: [Int: Comment] = [:]
        var testDescription: String { name }
    }

    /// What a client sees; `date` and other per-run headers are left out.
    struct Observation: Equatable, CustomStringConvertible {
        var status: Int
        var body: String
        var headers: [String: String]

        static let comparedHeaders = ["content-type", "content-length", "location", "server", "connection",
                                      "transfer-encoding"]

        var description: String { "\(status) \(headers.sorted { $0.key < $1.key }) \(body.debugDescription)" }
    }

    static let scenarios: [Scenario] = [
        Scenario(
            name: "direct_response with and without a body",
            config: { _ in
                EnvoyConfig.bootstrap(listeners: [EnvoyConfig.httpListener(virtualHosts: """
                    - name: d
                      domains: ["*"]
                      routes:
                      - match: { path: "/text" }
                        direct_response: { status: 200, body: { inline_string: "Hello from Tern\\n" } }
                      - match: { path: "/none" }
                        direct_response: { status: 503 }
                    """)], clusters: [])
            },
            requests: [("/text", []), ("/none", [])]),
        Scenario(
            name: "no route",
            config: { up in EnvoyConfig.bootstrap(listeners: [EnvoyConfig.httpListener(virtualHosts: """
                    - name: d
                      domains: ["svc.local"]
                      routes: [{ match: { prefix: "/" }, route: { cluster: svc } }]
                    """)], clusters: [EnvoyConfig.staticCluster(name: "svc", port: up.ok)])
            },
            requests: [("/", []), ("/", ["-H", "host: svc.local:80"])]),
        Scenario(
            name: "dead upstream",
            config: { up in EnvoyConfig.httpProxy(to: up.dead) },
            requests: [("/", [])]),
        Scenario(
            name: "route timeout",
            config: { up in EnvoyConfig.httpProxy(to: up.hang, routeExtra: "timeout: 0.3s") },
            requests: [("/", [])]),
        Scenario(
            name: "redirects",
            config: { _ in
                EnvoyConfig.bootstrap(listeners: [EnvoyConfig.httpListener(virtualHosts: """
                    - name: r
                      domains: ["*"]
                      routes:
                      - match: { prefix: "/a" }
                        redirect: { path_redirect: "/b", response_code: PERMANENT_REDIRECT }
                      - match: { prefix: "/" }
                        redirect: { https_redirect: true, strip_query: true }
                    """)], clusters: [])
            },
            requests: [("/a?x=1", ["-H", "host: h.example"]), ("/c?x=1", ["-H", "host: h.example:8080"])]),
        Scenario(
            name: "proxied response headers",
            config: { up in EnvoyConfig.httpProxy(to: up.ok) },
            requests: [("/", []), ("/", ["--http1.0"]), ("/", ["-H", "connection: close"])]),
    ]

    @Test("answers as Envoy does", arguments: scenarios)
    func sameAnswers(_ scenario: Scenario) async throws {
        let ok = try await UpstreamServer.start(.respond(headers: [HeaderField("content-type", "text/plain")],
                                                         body: "fine"))
        let hang = try await UpstreamServer.start(.hang)
        let upstreams = Upstreams(ok: ok.port, hang: hang.port, dead: try await UnusedPort.next())
        let config = scenario.config(upstreams)
        // One after the other, never both at once: each holds a proxy slot.
        let tern = try await Self.observe(.tern, config: config, requests: scenario.requests)
        let envoy = try await Self.observe(.envoy, config: config, requests: scenario.requests)
        #expect(tern.count == envoy.count)
        for (index, (mine, reference)) in zip(tern, envoy).enumerated() {
            let request = scenario.requests[index]
            let compare = {
                #expect(mine == reference, "\(request.path) \(request.arguments): tern \(mine) / envoy \(reference)")
            }
            if let deviation = scenario.ternDeviations[index] {
                await knownTernDeviation(deviation) { compare() }
            } else {
                compare()
            }
        }
        await ok.stop()
        await hang.stop()
    }

    static func observe(_ kind: ProxyKind, config: String, requests: [(path: String, arguments: [String])])
        async throws -> [Observation]
    {
        let actualKind = TestEnvironment.proxyUnderTest == .envoy ? .envoy : kind
        return try await TernProcess.with(config: config, kind: actualKind) { proxy in
            let port = try await proxy.listenerPort("ingress")
            var observations: [Observation] = []
            for request in requests {
                let response = try await Curl.request(port: port, request.path, extra: request.arguments)
                var headers: [String: String] = [:]
                for name in Observation.comparedHeaders {
                    if let value = response.headers[name] { headers[name] = value }
                }
                observations.append(Observation(status: response.status, body: response.bodyText, headers: headers))
            }
            return observations
        }
    }
}
