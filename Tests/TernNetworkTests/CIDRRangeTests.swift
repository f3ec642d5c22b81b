import NIOCore
import Testing
@testable import TernNetwork

@Suite("CIDRRange")
struct CIDRRangeTests {
    private func addr(_ ip: String) throws -> SocketAddress { try SocketAddress(ipAddress: ip, port: 80) }

    @Test func ipv4Prefixes() throws {
        let r = try #require(CIDRRange(address: "10.1.0.0", prefixLength: 16))
        #expect(r.contains(try addr("10.1.255.3")))
        #expect(!r.contains(try addr("10.2.0.1")))
        let odd = try #require(CIDRRange(address: "172.16.0.0", prefixLength: 12))
        #expect(odd.contains(try addr("172.31.255.255")))
        #expect(!odd.contains(try addr("172.32.0.0")))
        let host = try #require(CIDRRange(address: "192.168.1.7", prefixLength: 32))
        #expect(host.contains(try addr("192.168.1.7")))
        #expect(!host.contains(try addr("192.168.1.8")))
    }

    @Test func zeroLengthMatchesTheWholeFamilyOnly() throws {
        let any4 = try #require(CIDRRange(address: "0.0.0.0", prefixLength: 0))
        #expect(any4.contains(try addr("203.0.113.9")))
        #expect(!any4.contains(try addr("::1")))
        let any6 = try #require(CIDRRange(address: "::", prefixLength: 0))
        #expect(any6.contains(try addr("2001:db8::1")))
        #expect(!any6.contains(try addr("127.0.0.1")))
    }

    @Test func ipv6Prefixes() throws {
        let r = try #require(CIDRRange(address: "2001:db8::", prefixLength: 32))
        #expect(r.contains(try addr("2001:db8:ffff::1")))
        #expect(!r.contains(try addr("2001:db9::1")))
        let r57 = try #require(CIDRRange(address: "fd00::", prefixLength: 57))
        #expect(r57.contains(try addr("fd00:0:0:7f::1")))
        #expect(!r57.contains(try addr("fd00:0:0:80::1")))
    }

    @Test func invalidRanges() {
        #expect(CIDRRange(address: "10.0.0.0", prefixLength: 33) == nil)
        #expect(CIDRRange(address: "::", prefixLength: 129) == nil)
        #expect(CIDRRange(address: "10.0.0.0", prefixLength: -1) == nil)
        #expect(CIDRRange(address: "not-an-ip", prefixLength: 8) == nil)
    }

    @Test func unixSocketsNeverMatch() throws {
        let r = try #require(CIDRRange(address: "0.0.0.0", prefixLength: 0))
        #expect(!r.contains(try SocketAddress(unixDomainSocketPath: "/tmp/x.sock")))
    }
}
