import NIOHTTP1
import SwiftProtobuf
import Testing
@testable import TernConfig
@testable import TernCore
@testable import TernHTTP

@Suite struct RouteConfigTests {
    func compile(_ json: String, clusters: Set<String> = ["a", "b", "c"]) throws -> RouteConfig {
        let proto = try Envoy_Config_Route_V3_RouteConfiguration(jsonString: json)
        let context = CompileContext(stats: StatsStore(workers: 1), clusterNames: clusters)
        return try RouteConfigCompiler.compile(proto, path: "route_config", context: context)
    }

    func head(_ uri: String, host: String = "example.com", headers: [(String, String)] = []) -> HTTPRequestHead {
        var h = HTTPHeaders([("host", host)])
        for (n, v) in headers { h.add(name: n, value: v) }
        return HTTPRequestHead(version: .http1_1, method: .GET, uri: uri, headers: h)
    }

    func clusterOf(_ rc: RouteConfig, _ head: HTTPRequestHead) -> String? {
        guard let r = rc.route(for: head), case .forward(let f) = r.action, case .named(let n) = f.clusters else { return nil }
        return n
    }

    @Test func domainSearchOrder() throws {
        let rc = try compile("""
        {"virtual_hosts": [
          {"name": "exact", "domains": ["api.example.com"], "routes": [{"match": {"prefix": "/"}, "route": {"cluster": "a"}}]},
          {"name": "suffix", "domains": ["*.example.com"], "routes": [{"match": {"prefix": "/"}, "route": {"cluster": "b"}}]},
          {"name": "prefix", "domains": ["foo.*"], "routes": [{"match": {"prefix": "/"}, "route": {"cluster": "c"}}]},
          {"name": "any", "domains": ["*"], "routes": [{"match": {"prefix": "/"}, "direct_response": {"status": 200}}]}
        ]}
        """)
        #expect(clusterOf(rc, head("/", host: "api.example.com")) == "a")
        #expect(clusterOf(rc, head("/", host: "API.example.com")) == "a")
        #expect(clusterOf(rc, head("/", host: "www.example.com")) == "b")
        #expect(clusterOf(rc, head("/", host: "foo.bar")) == "c")
        let other = rc.route(for: head("/", host: "other"))
        #expect(other?.virtualHostName == "any")
    }

    @Test func pathMatchers() throws {
        let rc = try compile("""
        {"virtual_hosts": [{"name": "v", "domains": ["*"], "routes": [
          {"match": {"path": "/exact"}, "route": {"cluster": "a"}},
          {"match": {"safe_regex": {"regex": "/users/[0-9]+"}}, "route": {"cluster": "b"}},
          {"match": {"prefix": "/api", "headers": [{"name": "x-env", "string_match": {"exact": "canary"}}]}, "route": {"cluster": "c"}},
          {"match": {"prefix": "/api", "query_parameters": [{"name": "debug", "present_match": true}]}, "route": {"cluster": "b"}},
          {"match": {"prefix": "/api"}, "route": {"cluster": "a"}},
          {"match": {"path_separated_prefix": "/sep"}, "route": {"cluster": "c"}}
        ]}]}
        """)
        #expect(clusterOf(rc, head("/exact")) == "a")
        #expect(clusterOf(rc, head("/exact?x=1")) == "a")
        #expect(clusterOf(rc, head("/exactly")) == nil)
        #expect(clusterOf(rc, head("/users/42")) == "b")
        #expect(clusterOf(rc, head("/users/abc")) == nil)
        #expect(clusterOf(rc, head("/api/x", headers: [("x-env", "canary")])) == "c")
        #expect(clusterOf(rc, head("/api/x?debug")) == "b")
        #expect(clusterOf(rc, head("/api/x?a=1&debug=2")) == "b")
        #expect(clusterOf(rc, head("/api/x")) == "a")
        #expect(clusterOf(rc, head("/sep")) == "c")
        #expect(clusterOf(rc, head("/sep/x")) == "c")
        #expect(clusterOf(rc, head("/separate")) == nil)
    }

    @Test func headerMatcherInvertAndPresent() throws {
        let rc = try compile("""
        {"virtual_hosts": [{"name": "v", "domains": ["*"], "routes": [
          {"match": {"prefix": "/", "headers": [{"name": "x-a", "present_match": true, "invert_match": true}]}, "route": {"cluster": "a"}},
          {"match": {"prefix": "/"}, "route": {"cluster": "b"}}
        ]}]}
        """)
        #expect(clusterOf(rc, head("/")) == "a")
        #expect(clusterOf(rc, head("/", headers: [("x-a", "1")])) == "b")
    }

    @Test func unknownClusterIsAnErrorWithPath() throws {
        #expect {
            _ = try compile("""
            {"virtual_hosts": [{"name": "v", "domains": ["*"], "routes": [{"match": {"prefix": "/"}, "route": {"cluster": "nope"}}]}]}
            """)
        } throws: { error in
            (error as? CompileError)?.description == "route_config.virtual_hosts[0].routes[0].route.cluster: unknown cluster 'nope'"
        }
    }

    @Test func duplicateDomainIsAnError() throws {
        #expect(throws: CompileError.self) {
            _ = try compile("""
            {"virtual_hosts": [{"name": "v", "domains": ["a.com"], "routes": []}, {"name": "w", "domains": ["A.com"], "routes": []}]}
            """)
        }
    }

    @Test func badRegexIsAnErrorWithPath() throws {
        #expect {
            _ = try compile("""
            {"virtual_hosts": [{"name": "v", "domains": ["*"], "routes": [{"match": {"safe_regex": {"regex": "(["}}, "route": {"cluster": "a"}}]}]}
            """)
        } throws: { error in
            (error as? CompileError)?.path == "route_config.virtual_hosts[0].routes[0].match.safe_regex.regex"
        }
    }

    @Test func redirectLocation() throws {
        let rc = try compile("""
        {"virtual_hosts": [{"name": "v", "domains": ["*"], "routes": [
          {"match": {"prefix": "/old"}, "redirect": {"prefix_rewrite": "/new", "response_code": "FOUND"}},
          {"match": {"prefix": "/"}, "redirect": {"https_redirect": true, "strip_query": true}}
        ]}]}
        """)
        let h1 = head("/old/page?q=1", host: "example.com:8080")
        let r1 = try #require(rc.route(for: h1))
        guard case .redirect(let a1) = r1.action else { Issue.record("not a redirect"); return }
        #expect(a1.status == 302)
        #expect(RedirectLocation.build(a1, route: r1, head: h1) == "http://example.com:8080/new/page?q=1")
        let h2 = head("/x?q=1", host: "example.com:80")
        let r2 = try #require(rc.route(for: h2))
        guard case .redirect(let a2) = r2.action else { Issue.record("not a redirect"); return }
        #expect(a2.status == 301)
        #expect(RedirectLocation.build(a2, route: r2, head: h2) == "https://example.com/x")
    }

    @Test func headerMutationsOrderAndActions() throws {
        let rc = try compile("""
        {"request_headers_to_add": [{"header": {"key": "x-level", "value": "global"}, "append_action": "OVERWRITE_IF_EXISTS_OR_ADD"}],
         "virtual_hosts": [{"name": "v", "domains": ["*"],
           "request_headers_to_add": [{"header": {"key": "x-vh", "value": "1"}}],
           "routes": [{"match": {"prefix": "/"}, "route": {"cluster": "a"},
             "request_headers_to_remove": ["x-drop"],
             "request_headers_to_add": [{"header": {"key": "x-level", "value": "route"}},
                                        {"header": {"key": "x-once", "value": "new"}, "append_action": "ADD_IF_ABSENT"}]}]}]}
        """)
        var h = head("/", headers: [("x-drop", "1"), ("x-once", "old")])
        let r = try #require(rc.route(for: h))
        for m in r.requestMutations { m.apply(to: &h.headers) }
        #expect(h.headers["x-level"] == ["global"])
        #expect(h.headers["x-vh"] == ["1"])
        #expect(h.headers["x-drop"].isEmpty)
        #expect(h.headers["x-once"] == ["old"])
    }
}

@Suite struct HeaderMutationValidationTests {
    @Test func valuesWithLineBreaksAreRefusedWithTheirPath() throws {
        let json = """
        {"virtual_hosts": [{"name": "v", "domains": ["*"], "routes": [{"match": {"prefix": "/"}, "route": {"cluster": "a"},
          "response_headers_to_add": [{"header": {"key": "x-ok", "value": "fine"}}, {"header": {"key": "x-bad", "value": "a\\r\\nset-cookie: evil"}}]}]}]}
        """
        let proto = try Envoy_Config_Route_V3_RouteConfiguration(jsonString: json)
        let context = CompileContext(stats: StatsStore(workers: 1), clusterNames: ["a"])
        #expect {
            _ = try RouteConfigCompiler.compile(proto, path: "rc", context: context)
        } throws: { error in
            (error as? CompileError)?.path == "rc.virtual_hosts[0].routes[0].response_headers_to_add[1].header.value"
        }
    }
}
