import NIOCore
import SwiftProtobuf
import Testing
@testable import TernConfig
@testable import TernNetwork

/// Stands in for TernHTTP's matchers (which TernNetworkTests cannot import): exact string
/// matchers only, and header/path rules that read a header named in the test's request.
/// Header and path matching themselves are tested with the real matchers in TernHTTPTests.
private struct ExactMatchers: RBACMatcherCompiler {
    struct Never: RBACRequestRule {
        func matches(_ request: RBACRequest) -> Bool { false }
    }

    func header(_ proto: Envoy_Config_Route_V3_HeaderMatcher, path: String) throws -> any RBACRequestRule { Never() }
    func urlPath(_ proto: Envoy_Type_Matcher_V3_PathMatcher, path: String) throws -> any RBACRequestRule { Never() }
    func string(_ proto: Envoy_Type_Matcher_V3_StringMatcher, matches value: String, path: String) throws -> Bool {
        guard case .exact(let s)? = proto.matchPattern else { throw CompileError(path, "exact only in this test") }
        return s == value
    }
}

@Suite("RBAC engine")
struct RBACEngineTests {
    func engine(_ json: String, level: RBACEngineCompiler.Level = .http) throws -> RBACEngine {
        let proto = try Envoy_Config_Rbac_V3_RBAC(jsonString: json)
        return try RBACEngineCompiler(matchers: ExactMatchers(), level: level).compile(proto, path: "rules")
    }

    func request(from peer: String = "127.0.0.1", remote: String? = nil, to local: String = "10.0.0.1",
                 port: Int = 8080) throws -> RBACRequest {
        let direct = try SocketAddress(ipAddress: peer, port: 40000)
        return RBACRequest(directRemoteAddress: direct, remoteAddress: try remote.map { try SocketAddress(ipAddress: $0, port: 0) } ?? direct,
                           localAddress: try SocketAddress(ipAddress: local, port: port))
    }

    /// One policy named `p` with the given permission and principal (JSON objects).
    func policy(action: String = "ALLOW", permission: String = #"{"any": true}"#, principal: String = #"{"any": true}"#) -> String {
        #"{"action": "\#(action)", "policies": {"p": {"permissions": [\#(permission)], "principals": [\#(principal)]}}}"#
    }

    @Test func allowDenyAndLogActions() throws {
        let r = try request()
        let allow = try engine(policy(principal: #"{"direct_remote_ip": {"address_prefix": "127.0.0.0", "prefix_len": 8}}"#))
        #expect(allow.decide(r) == .init(allowed: true, matchedPolicy: "p", shouldLog: false))
        #expect(allow.decide(try request(from: "192.0.2.1")) == .init(allowed: false, matchedPolicy: nil, shouldLog: false))
        let deny = try engine(policy(action: "DENY", principal: #"{"direct_remote_ip": {"address_prefix": "127.0.0.1", "prefix_len": 32}}"#))
        #expect(deny.decide(r) == .init(allowed: false, matchedPolicy: "p", shouldLog: false))
        #expect(deny.decide(try request(from: "127.0.0.2")).allowed)
        let log = try engine(policy(action: "LOG", permission: #"{"destination_port": 8080}"#))
        #expect(log.decide(r) == .init(allowed: true, matchedPolicy: "p", shouldLog: true))
        #expect(log.decide(try request(port: 9090)) == .init(allowed: true, matchedPolicy: nil, shouldLog: false))
    }

    @Test func noPoliciesAllowNothingUnderAllowAndEverythingUnderDeny() throws {
        #expect(!(try engine(#"{"action": "ALLOW"}"#).decide(try request()).allowed))
        #expect(try engine(#"{"action": "DENY"}"#).decide(try request()).allowed)
    }

    @Test func firstMatchingPolicyByNameIsReported() throws {
        let e = try engine(#"""
        {"action": "DENY", "policies": {
          "zeta": {"permissions": [{"any": true}], "principals": [{"any": true}]},
          "alpha beta": {"permissions": [{"destination_port": 8080}], "principals": [{"any": true}]},
          "omega": {"permissions": [{"destination_port": 1}], "principals": [{"any": true}]}}}
        """#)
        let d = e.decide(try request())
        #expect(d.matchedPolicy == "alpha beta")
        #expect(RBACEngine.deniedDetails(d) == "rbac_access_denied_matched_policy[alpha_beta]")
        #expect(RBACEngine.deniedDetails(.init(allowed: false, matchedPolicy: nil, shouldLog: false))
                == "rbac_access_denied_matched_policy[none]")
    }

    @Test func andOrNotCompose() throws {
        let e = try engine(policy(permission: #"""
        {"and_rules": {"rules": [
          {"or_rules": {"rules": [{"destination_port": 80}, {"destination_port_range": {"start": 8000, "end": 8081}}]}},
          {"not_rule": {"destination_ip": {"address_prefix": "10.0.0.0", "prefix_len": 24}}}]}}
        """#, principal: #"{"or_ids": {"ids": [{"not_id": {"any": true}}, {"and_ids": {"ids": [{"any": true}, {"remote_ip": {"address_prefix": "203.0.113.0", "prefix_len": 24}}]}}]}}"#))
        #expect(e.decide(try request(remote: "203.0.113.7", to: "10.0.1.1", port: 8080)).allowed)
        #expect(!e.decide(try request(remote: "203.0.113.7", to: "10.0.1.1", port: 8081)).allowed, "range end is exclusive")
        #expect(e.decide(try request(remote: "203.0.113.7", to: "10.0.1.1", port: 80)).allowed)
        #expect(!e.decide(try request(remote: "203.0.113.7", to: "10.0.0.9", port: 80)).allowed, "not_rule")
        #expect(!e.decide(try request(remote: "198.51.100.1", to: "10.0.1.1", port: 80)).allowed, "remote_ip, not the peer")
    }

    @Test func sourceIPIsThePeerAndRemoteIPTheTrustedClient() throws {
        let source = try engine(policy(principal: #"{"source_ip": {"address_prefix": "127.0.0.1", "prefix_len": 32}}"#))
        let remote = try engine(policy(principal: #"{"remote_ip": {"address_prefix": "127.0.0.1", "prefix_len": 32}}"#))
        let r = try request(from: "127.0.0.1", remote: "198.51.100.4")
        #expect(source.decide(r).allowed)
        #expect(!remote.decide(r).allowed)
    }

    @Test func cidrFamiliesAndUnsetPrefixLength() throws {
        let v6 = try engine(policy(principal: #"{"direct_remote_ip": {"address_prefix": "2001:db8::", "prefix_len": 32}}"#))
        #expect(v6.decide(try request(from: "2001:db8:1::5")).allowed)
        #expect(!v6.decide(try request(from: "127.0.0.1")).allowed)
        // Envoy reads an unset prefix_len as 0: the whole family.
        let unset = try engine(policy(principal: #"{"direct_remote_ip": {"address_prefix": "192.0.2.1"}}"#))
        #expect(unset.decide(try request(from: "198.51.100.1")).allowed)
        #expect(!unset.decide(try request(from: "::1")).allowed)
    }

    @Test func withoutTLSAuthenticatedNeverMatchesAndTheServerNameIsEmpty() throws {
        let authenticated = try engine(policy(principal: #"{"authenticated": {}}"#))
        #expect(!authenticated.decide(try request()).allowed)
        let named = try engine(policy(principal: #"{"authenticated": {"principal_name": {"exact": ""}}}"#))
        #expect(!named.decide(try request()).allowed)
        let emptySNI = try engine(policy(permission: #"{"requested_server_name": {"exact": ""}}"#))
        #expect(emptySNI.decide(try request()).allowed)
        let sni = try engine(policy(permission: #"{"requested_server_name": {"exact": "api.example.com"}}"#))
        #expect(!sni.decide(try request()).allowed)
    }

    @Test func networkLevelRefusesHeadersAndNeverMatchesPaths() throws {
        expectError(at: "rules.policies.p.permissions[0].header") {
            _ = try engine(policy(permission: #"{"header": {"name": "x", "present_match": true}}"#), level: .network)
        }
        expectError(at: "rules.policies.p.principals[0].and_ids.ids[1].header") {
            _ = try engine(policy(principal: #"{"and_ids": {"ids": [{"any": true}, {"header": {"name": "x"}}]}}"#), level: .network)
        }
        let path = try engine(policy(permission: #"{"not_rule": {"url_path": {"path": {"exact": "/"}}}}"#), level: .network)
        #expect(path.decide(try request()).allowed, "a path never matches a connection, so its negation always does")
    }

    @Test func configErrorsNameTheField() throws {
        expectError(at: "rules.policies.p.permissions") {
            _ = try engine(#"{"policies": {"p": {"principals": [{"any": true}]}}}"#)
        }
        expectError(at: "rules.policies.p.principals") {
            _ = try engine(#"{"policies": {"p": {"permissions": [{"any": true}]}}}"#)
        }
        expectError(at: "rules.policies.p.principals[0].direct_remote_ip.address_prefix") {
            _ = try engine(policy(principal: #"{"direct_remote_ip": {"address_prefix": "10.0.0.300", "prefix_len": 8}}"#))
        }
        expectError(at: "rules.policies.p.permissions[0].destination_ip.prefix_len") {
            _ = try engine(policy(permission: #"{"destination_ip": {"address_prefix": "10.0.0.0", "prefix_len": 33}}"#))
        }
        expectError(at: "rules.action") { _ = try engine(#"{"action": 7}"#) }
        expectError(at: "rules.policies.p.permissions[0].any") { _ = try engine(policy(permission: #"{"any": false}"#)) }
        expectError(at: "rules.policies.p.permissions[0]") { _ = try engine(policy(permission: "{}")) }
        expectError(at: "rules.policies.p.permissions[0].and_rules.rules") {
            _ = try engine(policy(permission: #"{"and_rules": {}}"#))
        }
        expectError(at: "rules.policies.p.permissions[0].destination_port") {
            _ = try engine(policy(permission: #"{"destination_port": 70000}"#))
        }
        expectError(at: "rules.policies.p.permissions[0].destination_port_range") {
            _ = try engine(policy(permission: #"{"destination_port_range": {"start": 90, "end": 90}}"#))
        }
    }

    private func expectError(at path: String, sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void) {
        #expect(sourceLocation: sourceLocation) { try body() } throws: { error in
            (error as? CompileError)?.path == path
        }
    }
}
