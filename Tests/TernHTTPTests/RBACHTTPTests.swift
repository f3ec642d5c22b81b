import NIOCore
import NIOHTTP1
import SwiftProtobuf
import Testing
@testable import TernConfig
@testable import TernCore
@testable import TernHTTP
@testable import TernNetwork

/// The RBAC engine with TernHTTP's matchers: header and path rules on real request heads,
/// per-route configs, and the trusted remote address the filter hands to `remote_ip`.
@Suite("RBAC HTTP matchers")
struct RBACHTTPTests {
    func engine(permission: String, principal: String = #"{"any": true}"#) throws -> RBACEngine {
        let json = #"{"action": "ALLOW", "policies": {"p": {"permissions": [\#(permission)], "principals": [\#(principal)]}}}"#
        let proto = try Envoy_Config_Rbac_V3_RBAC(jsonString: json)
        return try RBACEngineCompiler(matchers: RBACHTTPMatchers(), level: .http).compile(proto, path: "rules")
    }

    func allows(_ engine: RBACEngine, _ uri: String, method: HTTPMethod = .GET, headers: [(String, String)] = []) throws -> Bool {
        let head = HTTPRequestHead(version: .http1_1, method: method, uri: uri, headers: HTTPHeaders([("host", "api.local")] + headers))
        let peer = try SocketAddress(ipAddress: "127.0.0.1", port: 5000)
        let request = RBACRequest(directRemoteAddress: peer, remoteAddress: peer,
                                  localAddress: try SocketAddress(ipAddress: "127.0.0.1", port: 80), http: RBACHTTPRequest(head: head))
        return engine.decide(request).allowed
    }

    @Test func headerRulesUseTheRouteTablesHeaderMatcher() throws {
        let e = try engine(permission: #"{"header": {"name": "X-Team", "string_match": {"prefix": "core"}}}"#)
        #expect(try allows(e, "/", headers: [("x-team", "core-infra")]))
        #expect(try !allows(e, "/", headers: [("x-team", "edge")]))
        #expect(try !allows(e, "/"))
        let absent = try engine(permission: #"{"header": {"name": "x-debug", "present_match": false}}"#)
        #expect(try allows(absent, "/"))
        #expect(try !allows(absent, "/", headers: [("x-debug", "1")]))
    }

    @Test func pseudoHeadersReadTheRequestLine() throws {
        let method = try engine(permission: #"{"header": {"name": ":method", "string_match": {"exact": "POST"}}}"#)
        #expect(try allows(method, "/", method: .POST))
        #expect(try !allows(method, "/", method: .GET))
        // :path keeps the query, unlike url_path.
        let path = try engine(permission: #"{"header": {"name": ":path", "string_match": {"suffix": "?debug=1"}}}"#)
        #expect(try allows(path, "/a?debug=1"))
        let authority = try engine(permission: #"{"header": {"name": ":authority", "string_match": {"exact": "api.local"}}}"#)
        #expect(try allows(authority, "/"))
    }

    @Test func urlPathIgnoresQueryAndFragment() throws {
        let e = try engine(permission: #"{"url_path": {"path": {"exact": "/admin"}}}"#)
        #expect(try allows(e, "/admin"))
        #expect(try allows(e, "/admin?x=1"))
        #expect(try allows(e, "/admin#top"))
        #expect(try !allows(e, "/admin/x"))
        let principal = try engine(permission: #"{"any": true}"#, principal: #"{"url_path": {"path": {"prefix": "/public/", "ignore_case": true}}}"#)
        #expect(try allows(principal, "/PUBLIC/a"))
        #expect(try !allows(principal, "/private"))
    }

    @Test func badMatchersNameTheirPath() throws {
        #expect { _ = try engine(permission: #"{"url_path": {}}"#) } throws: {
            ($0 as? CompileError)?.path == "rules.policies.p.permissions[0].url_path.path"
        }
        #expect { _ = try engine(permission: #"{"header": {"name": "x", "safe_regex_match": {"regex": "("}}}"#) } throws: {
            ($0 as? CompileError)?.path == "rules.policies.p.permissions[0].header.safe_regex_match.regex"
        }
    }

    @Test func perRouteWithoutRBACDisablesTheFilter() throws {
        let context = CompileContext(stats: StatsStore(workers: 1), clusterNames: [])
        let off = try RBACFilterConfig(perRoute: .init(), path: "r", context: context)
        #expect(off.engine == nil && off.shadowEngine == nil)
        let on = try RBACFilterConfig(perRoute: try .init(jsonString: #"{"rbac": {"rules": {"action": "DENY"}}}"#),
                                      path: "r", context: context)
        #expect(on.engine?.action == .deny && on.shadowEngine == nil)
        #expect { _ = try RBACFilterConfig(perRoute: try .init(jsonString: #"{"rbac": {"rules": {"policies": {"p": {}}}}}"#),
                                           path: "r", context: context) } throws: {
            ($0 as? CompileError)?.path == "r.rbac.rules.policies.p.permissions"
        }
    }

    @Test func statNamesFollowEnvoysPrefixJoin() throws {
        let store = StatsStore(workers: 1)
        let context = CompileContext(stats: store, clusterNames: [])
        let proto = try Envoy_Extensions_Filters_Http_Rbac_V3_RBAC(jsonString: #"{"rules_stat_prefix": "foo", "shadow_rules_stat_prefix": "bar."}"#)
        let factory = try RBACFilterFactory(proto: proto, input: .init(name: "rbac", statPrefix: "http.ingress.", path: "f", context: context))
        #expect(factory.stats.allowed.name.flat == "http.ingress.rbac.foo.allowed")
        #expect(factory.stats.denied.name.flat == "http.ingress.rbac.foo.denied")
        #expect(factory.stats.shadowAllowed.name.flat == "http.ingress.rbac.bar.shadow_allowed")
        #expect(factory.stats.shadowDenied.name.flat == "http.ingress.rbac.bar.shadow_denied")
    }
}

/// Envoy's downstream remote address after x-forwarded-for processing (what `remote_ip` sees).
@Suite("RBAC remote address")
struct RBACRemoteAddressTests {
    let peer = try! SocketAddress(ipAddress: "10.0.0.2", port: 4000)

    func resolve(_ xff: String?, useRemoteAddress: Bool, hops: Int) -> String? {
        var h = HTTPHeaders()
        if let xff { h.add(name: "x-forwarded-for", value: xff) }
        return DownstreamRemoteAddress.resolve(h, useRemoteAddress: useRemoteAddress, xffNumTrustedHops: hops, peer: peer)?.ipAddress
    }

    @Test func useRemoteAddressTrustsThePeerUnlessHopsAreTrusted() {
        #expect(resolve("198.51.100.1", useRemoteAddress: true, hops: 0) == "10.0.0.2")
        #expect(resolve("198.51.100.1, 192.0.2.9", useRemoteAddress: true, hops: 1) == "192.0.2.9")
        #expect(resolve("198.51.100.1, 192.0.2.9", useRemoteAddress: true, hops: 2) == "198.51.100.1")
        #expect(resolve("192.0.2.9", useRemoteAddress: true, hops: 2) == "10.0.0.2", "too short: the peer")
    }

    @Test func withoutUseRemoteAddressTheLastXFFEntryCounts() {
        #expect(resolve("198.51.100.1,  192.0.2.9 ", useRemoteAddress: false, hops: 0) == "192.0.2.9")
        #expect(resolve("198.51.100.1, 192.0.2.9", useRemoteAddress: false, hops: 1) == "198.51.100.1")
        #expect(resolve("not-an-ip", useRemoteAddress: false, hops: 0) == "10.0.0.2")
        #expect(resolve(nil, useRemoteAddress: false, hops: 0) == "10.0.0.2")
    }
}
