import NIOCore
import SwiftProtobuf
import Testing
@testable import TernConfig
@testable import TernNetwork
import TernTransport

/// Exact string matchers only (TernHTTP's real matchers are not importable here).
private struct ExactStrings: RBACMatcherCompiler {
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

/// `authenticated` and `requested_server_name` read the connection's TLS facts, as in Envoy.
@Suite("RBAC TLS principals")
struct RBACTLSPrincipalTests {
    func engine(permission: String = #"{"any": true}"#, principal: String = #"{"any": true}"#) throws -> RBACEngine {
        let json = #"{"action": "ALLOW", "policies": {"p": {"permissions": [\#(permission)], "principals": [\#(principal)]}}}"#
        return try RBACEngineCompiler(matchers: ExactStrings(), level: .http)
            .compile(try Envoy_Config_Rbac_V3_RBAC(jsonString: json), path: "rules")
    }

    func request(tls: TLSConnectionInfo?, serverName: String = "") throws -> RBACRequest {
        let peer = try SocketAddress(ipAddress: "127.0.0.1", port: 40000)
        return RBACRequest(directRemoteAddress: peer, remoteAddress: peer,
                           localAddress: try SocketAddress(ipAddress: "127.0.0.1", port: 443),
                           tls: tls, requestedServerName: serverName)
    }

    static func session(uri: [String] = [], dns: [String] = [], subject: String = "") -> TLSConnectionInfo {
        TLSConnectionInfo(negotiatedProtocol: nil, version: "TLSv1.3", peerCertificatePresented: true,
                          peerSubjectAltNames: PeerSubjectAltNames(dns: dns, uri: uri), peerSubject: subject)
    }

    @Test func authenticatedWithoutANameMatchesAnyTLSConnection() throws {
        let any = try engine(principal: #"{"authenticated": {}}"#)
        #expect(any.decide(try request(tls: Self.session())).allowed)
        #expect(!any.decide(try request(tls: nil)).allowed)
    }

    @Test func principalNameIsTheURISANThenDNSSANThenSubject() throws {
        let spiffe = try engine(principal: #"{"authenticated": {"principal_name": {"exact": "spiffe://td/ns/a/sa/b"}}}"#)
        #expect(spiffe.decide(try request(tls: Self.session(uri: ["spiffe://td/ns/a/sa/b"]))).allowed)
        #expect(!spiffe.decide(try request(tls: Self.session(uri: ["spiffe://td/ns/a/sa/c"]))).allowed)
        let dns = try engine(principal: #"{"authenticated": {"principal_name": {"exact": "api.example.com"}}}"#)
        #expect(dns.decide(try request(tls: Self.session(uri: ["spiffe://x"], dns: ["api.example.com"]))).allowed)
        let subject = try engine(principal: #"{"authenticated": {"principal_name": {"exact": "CN=client,O=Example"}}}"#)
        #expect(subject.decide(try request(tls: Self.session(subject: "CN=client,O=Example"))).allowed)
        #expect(!subject.decide(try request(tls: nil)).allowed)
    }

    @Test func requestedServerNameIsTheConnectionsSNI() throws {
        let sni = try engine(permission: #"{"requested_server_name": {"exact": "api.example.com"}}"#)
        #expect(sni.decide(try request(tls: nil, serverName: "api.example.com")).allowed)
        #expect(!sni.decide(try request(tls: nil, serverName: "other.example.com")).allowed)
        #expect(!sni.decide(try request(tls: nil)).allowed)
    }
}
