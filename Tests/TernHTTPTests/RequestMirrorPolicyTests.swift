import NIOHTTP1
import SwiftProtobuf
import Testing
@testable import TernConfig
@testable import TernCore
@testable import TernHTTP

@Suite struct RequestMirrorPolicyTests {
    func compile(_ mirrors: String, clusters: Set<String> = ["a", "shadow"]) throws -> (ForwardAction?, CompileContext) {
        let json = """
        {"virtual_hosts": [{"name": "v", "domains": ["*"], "routes": [
          {"match": {"prefix": "/"}, "route": {"cluster": "a", "request_mirror_policies": \(mirrors)}}
        ]}]}
        """
        let proto = try Envoy_Config_Route_V3_RouteConfiguration(jsonString: json)
        let context = CompileContext(stats: StatsStore(workers: 1), clusterNames: clusters)
        let rc = try RouteConfigCompiler.compile(proto, path: "rc", context: context)
        guard case .forward(let f) = rc.virtualHosts[0].routes[0].action else { return (nil, context) }
        return (f, context)
    }

    @Test("-shadow goes on the host name, before any port", arguments: [
        ("foo.example.com", "foo.example.com-shadow"),
        ("foo.example.com:8080", "foo.example.com-shadow:8080"),
        ("cluster1", "cluster1-shadow"),
        ("10.0.0.1:80", "10.0.0.1-shadow:80"),
        ("[::1]:8080", "[::1]-shadow:8080"),
        ("[fd00::1]", "[fd00::1]-shadow"),
    ])
    func shadowHost(_ host: String, _ expected: String) {
        #expect(RequestMirrorPolicy.shadowHost(host) == expected)
    }

    @Test func compilesClusterFractionAndHostOptions() throws {
        let (f, context) = try compile("""
        [{"cluster": "shadow"},
         {"cluster_header": "X-Mirror-To", "runtime_fraction": {"default_value": {"numerator": 25, "denominator": "TEN_THOUSAND"}}},
         {"cluster": "shadow", "disable_shadow_host_suffix_append": true},
         {"cluster": "shadow", "host_rewrite_literal": "mirror.internal", "trace_sampled": false}]
        """)
        let p = try #require(f?.requestMirrorPolicies).policies
        #expect(p.count == 4)
        #expect(p[0].target == .named("shadow"))
        #expect(p[0].numerator == 100 && p[0].denominator == 100, "no runtime_fraction: every request")
        #expect(p[0].appendsShadowSuffix)
        #expect(p[1].target == .fromHeader("x-mirror-to"))
        #expect(p[1].numerator == 25 && p[1].denominator == 10_000)
        #expect(!p[2].appendsShadowSuffix)
        #expect(p[3].hostRewriteLiteral == "mirror.internal")
        #expect(!p[3].appendsShadowSuffix, "host_rewrite_literal implies no suffix")
        #expect(context.warnings.map(\.path) == ["rc.virtual_hosts[0].routes[0].route.request_mirror_policies[3].trace_sampled"])
    }

    @Test func noPoliciesCompileToNil() throws {
        #expect(try compile("[]").0?.requestMirrorPolicies == nil)
    }

    @Test func fractionSelectsByTheRequestsDraw() {
        let half = RequestMirrorPolicy(target: .named("s"), numerator: 50, denominator: 100,
                                       appendsShadowSuffix: true, hostRewriteLiteral: nil)
        #expect(half.selects(random: 49))
        #expect(!half.selects(random: 50))
        #expect(half.selects(random: 149))
        let none = RequestMirrorPolicy(target: .named("s"), numerator: 0, denominator: 100,
                                       appendsShadowSuffix: true, hostRewriteLiteral: nil)
        #expect(!(0..<1000).contains { none.selects(random: UInt64($0)) })
        let over = RequestMirrorPolicy(target: .named("s"), numerator: 200, denominator: 100,
                                       appendsShadowSuffix: true, hostRewriteLiteral: nil)
        #expect(over.selects(random: 99))
    }

    @Test func unknownShadowClusterIsAnErrorWithPath() {
        #expect {
            _ = try compile(#"[{"cluster": "shadow"}, {"cluster": "nope"}]"#)
        } throws: { error in
            (error as? CompileError)?.description
                == "rc.virtual_hosts[0].routes[0].route.request_mirror_policies[1].cluster: unknown shadow cluster 'nope'"
        }
    }

    @Test func exactlyOneOfClusterAndClusterHeader() {
        #expect {
            _ = try compile(#"[{"cluster": "shadow", "cluster_header": "x-c"}]"#)
        } throws: { error in
            (error as? CompileError)?.path == "rc.virtual_hosts[0].routes[0].route.request_mirror_policies[0]"
        }
        #expect {
            _ = try compile(#"[{"runtime_fraction": {"default_value": {"numerator": 1}}}]"#)
        } throws: { error in
            (error as? CompileError)?.message.hasPrefix("Exactly one of cluster or cluster_header") == true
        }
    }

    @Test func shadowHeadIsTheUpstreamHeadMarkedAsShadow() {
        var headers = HTTPHeaders([("host", "api.example.com:8443"), ("x-request-id", "abc")])
        headers.add(name: "content-length", value: "3")
        let head = HTTPRequestHead(version: .http1_1, method: .POST, uri: "/p", headers: headers)
        let policy = RequestMirrorPolicy(target: .named("s"), numerator: 100, denominator: 100,
                                         appendsShadowSuffix: true, hostRewriteLiteral: nil)
        let shadow = RouterFilter.shadowHead(head, policy: policy, localAddress: "192.0.2.2")
        #expect(shadow.headers["host"] == ["api.example.com-shadow:8443"])
        #expect(shadow.headers["x-request-id"] == ["abc"])
        #expect(shadow.headers["content-length"] == ["3"])
        #expect(shadow.headers["x-envoy-internal"] == ["true"])
        #expect(shadow.headers["x-forwarded-for"] == ["192.0.2.2"], "Envoy's async client appends its own address")
        #expect(shadow.uri == "/p" && shadow.method == .POST)
        let literal = RequestMirrorPolicy(target: .named("s"), numerator: 100, denominator: 100,
                                          appendsShadowSuffix: false, hostRewriteLiteral: "m.internal")
        var forwarded = head
        forwarded.headers.add(name: "x-forwarded-for", value: "203.0.113.9")
        let literalHead = RouterFilter.shadowHead(forwarded, policy: literal, localAddress: "192.0.2.2")
        #expect(literalHead.headers["host"] == ["m.internal"])
        #expect(literalHead.headers["x-forwarded-for"] == ["203.0.113.9,192.0.2.2"])
    }
}
