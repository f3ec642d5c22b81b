import NIOCore
import NIOHTTP1
import Testing
import TernUpstream
@testable import TernHTTP

/// A route's `hash_policy` as Envoy evaluates it.
@Suite struct HashPolicyTests {
    static func head(_ uri: String = "/", _ headers: [(String, String)] = []) -> HTTPRequestHead {
        HTTPRequestHead(version: .http1_1, method: .GET, uri: uri, headers: HTTPHeaders(headers))
    }

    static func policy(_ entries: [(HashPolicy.Method, Bool)]) -> HashPolicy {
        HashPolicy(entries: entries.map { HashPolicy.Entry(method: $0.0, terminal: $0.1) })
    }

    @Test func headerHashIsXXHash64OfTheValue() {
        let p = Self.policy([(.header("x-user"), false)])
        #expect(p.hash(Self.head("/", [("X-User", "alice")]), source: nil) == XXHash64.hash("alice"))
        #expect(p.hash(Self.head(), source: nil) == nil)
        // Several values hash the same in any order.
        let ab = p.hash(Self.head("/", [("x-user", "a"), ("x-user", "b")]), source: nil)
        let ba = p.hash(Self.head("/", [("x-user", "b"), ("x-user", "a")]), source: nil)
        #expect(ab == ba && ab != nil)
    }

    @Test func cookieQueryAndSourceIP() throws {
        let cookie = Self.policy([(.cookie("session"), false)])
        #expect(cookie.hash(Self.head("/", [("cookie", "a=1; session=xyz; b=2")]), source: nil) == XXHash64.hash("xyz"))
        #expect(cookie.hash(Self.head("/", [("cookie", "sessionx=1")]), source: nil) == nil)
        let query = Self.policy([(.queryParameter("id"), false)])
        #expect(query.hash(Self.head("/p?x=1&id=42"), source: nil) == XXHash64.hash("42"))
        #expect(query.hash(Self.head("/p?idx=42"), source: nil) == nil)
        let ip = Self.policy([(.sourceIP, false)])
        let addr = try SocketAddress(ipAddress: "10.1.2.3", port: 5555)
        #expect(ip.hash(Self.head(), source: addr) == XXHash64.hash("10.1.2.3"))
    }

    @Test func policiesCombineByRotateAndXor() {
        let p = Self.policy([(.header("a"), false), (.header("b"), false)])
        let a = XXHash64.hash("1")
        let b = XXHash64.hash("2")
        #expect(p.hash(Self.head("/", [("a", "1"), ("b", "2")]), source: nil) == ((a << 1) | (a >> 63)) ^ b)
        // The same policy twice does not cancel out.
        let twice = Self.policy([(.header("a"), false), (.header("a"), false)])
        #expect(twice.hash(Self.head("/", [("a", "1")]), source: nil) != 0)
    }

    @Test func terminalStopsOnceAHashExists() {
        let p = Self.policy([(.header("a"), true), (.header("b"), false)])
        #expect(p.hash(Self.head("/", [("a", "1"), ("b", "2")]), source: nil) == XXHash64.hash("1"))
        // A terminal policy without a value does not stop the evaluation.
        #expect(p.hash(Self.head("/", [("b", "2")]), source: nil) == XXHash64.hash("2"))
    }

    @Test func pseudoHeadersReadTheRequestLine() {
        let p = Self.policy([(.header(":path"), false)])
        #expect(p.hash(Self.head("/x?y"), source: nil) == XXHash64.hash("/x?y"))
        let authority = Self.policy([(.header(":authority"), false)])
        #expect(authority.hash(Self.head("/", [("host", "example.com")]), source: nil) == XXHash64.hash("example.com"))
    }
}
