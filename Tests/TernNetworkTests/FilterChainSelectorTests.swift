import NIOCore
import TernCore
import Testing
@testable import TernNetwork

@Suite("Filter chain match")
struct FilterChainSelectorTests {
    private func chain(_ name: String, _ match: FilterChainMatch) -> FilterChainConfig {
        FilterChainConfig(name: name, match: match, filters: [])
    }

    private func props(dst: String = "10.0.0.1", port: Int = 443, src: String = "192.168.0.9", srcPort: Int = 50000,
                       sni: String = "", transport: String = "raw_buffer", alpn: [String] = []) throws -> ConnectionMatchProperties {
        ConnectionMatchProperties(destination: try SocketAddress(ipAddress: dst, port: port),
                                  source: try SocketAddress(ipAddress: src, port: srcPort),
                                  serverName: sni, transportProtocol: transport, applicationProtocols: alpn)
    }

    private func select(_ chains: [FilterChainConfig], _ p: ConnectionMatchProperties) -> String? {
        FilterChainSelector.select(chains, p)?.name
    }

    @Test func destinationPortIsDecidedBeforeServerName() throws {
        let chains = [
            chain("port", FilterChainMatch(destinationPort: 443)),
            chain("sni", FilterChainMatch(serverNames: ["api.example.com"])),
        ]
        // The port criterion comes first: the chain naming 443 wins even though the other names the SNI.
        #expect(select(chains, try props(port: 443, sni: "api.example.com")) == "port")
        #expect(select(chains, try props(port: 8443, sni: "api.example.com")) == "sni")
        #expect(select(chains, try props(port: 8443, sni: "other.example.com")) == nil)
    }

    @Test func longestDestinationPrefixWins() throws {
        let chains = [
            chain("wide", FilterChainMatch(prefixRanges: [CIDRRange(address: "10.0.0.0", prefixLength: 8)!])),
            chain("narrow", FilterChainMatch(prefixRanges: [CIDRRange(address: "10.1.0.0", prefixLength: 16)!])),
            chain("any", FilterChainMatch()),
        ]
        #expect(select(chains, try props(dst: "10.1.2.3")) == "narrow")
        #expect(select(chains, try props(dst: "10.2.0.1")) == "wide")
        #expect(select(chains, try props(dst: "192.0.2.1")) == "any")
    }

    @Test func exactServerNameBeatsWildcardsAndLongerWildcardsWin() throws {
        let chains = [
            chain("wild", FilterChainMatch(serverNames: ["*.example.com"])),
            chain("deeper", FilterChainMatch(serverNames: ["*.b.example.com"])),
            chain("exact", FilterChainMatch(serverNames: ["api.example.com"])),
            chain("none", FilterChainMatch()),
        ]
        #expect(select(chains, try props(sni: "api.example.com")) == "exact")
        #expect(select(chains, try props(sni: "API.Example.com")) == "exact")
        #expect(select(chains, try props(sni: "www.example.com")) == "wild")
        #expect(select(chains, try props(sni: "x.b.example.com")) == "deeper")
        #expect(select(chains, try props(sni: "example.org")) == "none")
        #expect(select(chains, try props(sni: "")) == "none")
    }

    @Test func transportProtocolAndALPN() throws {
        let chains = [
            chain("tls-h2", FilterChainMatch(transportProtocol: "tls", applicationProtocols: ["h2"])),
            chain("tls", FilterChainMatch(transportProtocol: "tls")),
            chain("plain", FilterChainMatch()),
        ]
        #expect(select(chains, try props(transport: "tls", alpn: ["h2", "http/1.1"])) == "tls-h2")
        #expect(select(chains, try props(transport: "tls", alpn: ["http/1.1"])) == "tls")
        #expect(select(chains, try props(transport: "raw_buffer")) == "plain")
    }

    @Test func clientALPNOrderDecidesAmongChains() throws {
        let chains = [
            chain("h1", FilterChainMatch(applicationProtocols: ["http/1.1"])),
            chain("h2", FilterChainMatch(applicationProtocols: ["h2"])),
            chain("rest", FilterChainMatch()),
        ]
        // Envoy walks the client's list in order: its first protocol that a chain names wins,
        // whatever the order of the chains.
        #expect(select(chains, try props(transport: "tls", alpn: ["h2", "http/1.1"])) == "h2")
        #expect(select(chains, try props(transport: "tls", alpn: ["http/1.1", "h2"])) == "h1")
        #expect(select(chains, try props(transport: "tls", alpn: ["spdy/3", "h2"])) == "h2")
        #expect(select(chains, try props(transport: "tls", alpn: ["spdy/3"])) == "rest")
    }

    @Test func wildcardNeverMatchesItsBareDomain() throws {
        let chains = [chain("wild", FilterChainMatch(serverNames: ["*.Example.com"])), chain("none", FilterChainMatch())]
        #expect(select(chains, try props(sni: "example.com")) == "none")
        #expect(select(chains, try props(sni: "a.b.example.com")) == "wild")
    }

    @Test func aSpecificStepNeverFallsBackToAWiderChainLater() throws {
        // Envoy's tree walk: the SNI step picks "sni-tls"; its transport protocol then rules it
        // out, and the catch-all chain is not considered again (the default chain would be).
        let chains = [
            chain("sni-tls", FilterChainMatch(serverNames: ["a.example.com"], transportProtocol: "tls")),
            chain("catch-all", FilterChainMatch()),
        ]
        #expect(select(chains, try props(sni: "a.example.com", transport: "tls")) == "sni-tls")
        #expect(select(chains, try props(sni: "a.example.com", transport: "raw_buffer")) == nil)
        #expect(select(chains, try props(sni: "b.example.com", transport: "raw_buffer")) == "catch-all")
    }

    @Test func serverNameIsDecidedBeforeTransportProtocol() throws {
        let chains = [
            chain("tls", FilterChainMatch(transportProtocol: "tls")),
            chain("sni", FilterChainMatch(serverNames: ["a.example.com"])),
        ]
        #expect(select(chains, try props(sni: "a.example.com", transport: "tls")) == "sni")
        #expect(select(chains, try props(sni: "b.example.com", transport: "tls")) == "tls")
    }

    @Test func sourceTypeAndDirectSource() throws {
        let chains = [
            chain("local", FilterChainMatch(sourceType: .sameIPOrLoopback)),
            chain("external", FilterChainMatch(sourceType: .external)),
        ]
        #expect(select(chains, try props(src: "127.0.0.1")) == "local")
        #expect(select(chains, try props(src: "10.0.0.1")) == "local", "same IP as the destination")
        #expect(select(chains, try props(src: "192.168.0.9")) == "external")
        #expect(select(chains, try props(dst: "::1", src: "::1")) == "local")
        let direct = [
            chain("lan", FilterChainMatch(directSourcePrefixRanges: [CIDRRange(address: "192.168.0.0", prefixLength: 16)!])),
            chain("any", FilterChainMatch()),
        ]
        #expect(select(direct, try props(src: "192.168.1.1")) == "lan")
        #expect(select(direct, try props(src: "203.0.113.9")) == "any")
    }

    @Test func overlapIsSharingOneCombinationOfValues() {
        let ab = FilterChainMatch(serverNames: ["a.test", "b.test"], applicationProtocols: ["h2", "http/1.1"])
        #expect(ab.overlaps(FilterChainMatch(serverNames: ["B.test"], applicationProtocols: ["h2"])))
        #expect(!ab.overlaps(FilterChainMatch(serverNames: ["b.test"])), "no ALPN is its own value")
        #expect(!ab.overlaps(FilterChainMatch(serverNames: ["c.test"], applicationProtocols: ["h2"])))
        #expect(!ab.overlaps(FilterChainMatch(serverNames: ["b.test"], transportProtocol: "tls", applicationProtocols: ["h2"])))
        let wide = FilterChainMatch(prefixRanges: [CIDRRange(address: "10.1.2.3", prefixLength: 8)!])
        #expect(wide.overlaps(FilterChainMatch(prefixRanges: [CIDRRange(address: "10.0.0.0", prefixLength: 8)!])),
                "a range is compared with its host bits cleared")
        #expect(!wide.overlaps(FilterChainMatch(prefixRanges: [CIDRRange(address: "10.0.0.0", prefixLength: 16)!])))
        #expect(FilterChainMatch().overlaps(FilterChainMatch()))
    }

    @Test func sourcePrefixAndPort() throws {
        let chains = [
            chain("lan", FilterChainMatch(sourcePrefixRanges: [CIDRRange(address: "192.168.0.0", prefixLength: 16)!])),
            chain("lan-port", FilterChainMatch(sourcePrefixRanges: [CIDRRange(address: "192.168.0.0", prefixLength: 16)!],
                                               sourcePorts: [40000])),
            chain("rest", FilterChainMatch()),
        ]
        #expect(select(chains, try props(src: "192.168.3.4", srcPort: 40000)) == "lan-port")
        #expect(select(chains, try props(src: "192.168.3.4", srcPort: 40001)) == "lan")
        #expect(select(chains, try props(src: "203.0.113.1")) == "rest")
    }

    @Test func defaultChainWhenNothingMatches() throws {
        let store = StatsStore(workers: 1)
        let listener = ListenerConfig(
            name: "l", addresses: [], statPrefix: "l",
            filterChains: [chain("tls", FilterChainMatch(transportProtocol: "tls"))],
            defaultFilterChain: chain("default", FilterChainMatch()),
            enableReusePort: false, perConnectionBufferLimitBytes: 1 << 20,
            stats: ListenerStats(root: store.root, statPrefix: "l"), fingerprint: [], socketFingerprint: [])
        #expect(listener.selectChain(try props(transport: "tls"))?.name == "tls")
        #expect(listener.selectChain(try props(transport: "raw_buffer"))?.name == "default")
        let noDefault = ListenerConfig(
            name: "l", addresses: [], statPrefix: "l", filterChains: listener.filterChains, defaultFilterChain: nil,
            enableReusePort: false, perConnectionBufferLimitBytes: 1 << 20, stats: listener.stats,
            fingerprint: [], socketFingerprint: [])
        #expect(noDefault.selectChain(try props(transport: "raw_buffer")) == nil)
    }
}
