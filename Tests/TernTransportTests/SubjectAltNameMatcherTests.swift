import Testing
@testable import TernTransport

@Suite("SubjectAltNameMatcher")
struct SubjectAltNameMatcherTests {
    let names = PeerSubjectAltNames(dns: ["client.tern.test"], uri: ["spiffe://tern.test/ns/default/sa/client"],
                                    email: ["ops@tern.test"], ipAddress: ["10.0.0.7"])

    @Test("no matcher accepts any certificate")
    func empty() {
        #expect(SubjectAltNameMatcher.accepts([], PeerSubjectAltNames()))
    }

    @Test("a matcher only looks at SANs of its own type")
    func typed() {
        let spiffe = "spiffe://tern.test/ns/default/sa/client"
        let uri = SubjectAltNameMatcher(type: .uri, matches: { $0 == spiffe })
        let dnsWithURIValue = SubjectAltNameMatcher(type: .dns, matches: { $0 == spiffe })
        #expect(SubjectAltNameMatcher.accepts([uri], names))
        #expect(!SubjectAltNameMatcher.accepts([dnsWithURIValue], names))
    }

    @Test("any one matching matcher accepts (Envoy's any semantics)")
    func anyOf() {
        let wrong = SubjectAltNameMatcher(type: .dns, matches: { $0 == "server.tern.test" })
        let ip = SubjectAltNameMatcher(type: .ipAddress, matches: { $0 == "10.0.0.7" })
        let email = SubjectAltNameMatcher(type: .email, matches: { $0.hasSuffix("@tern.test") })
        #expect(!SubjectAltNameMatcher.accepts([wrong], names))
        #expect(SubjectAltNameMatcher.accepts([wrong, ip], names))
        #expect(SubjectAltNameMatcher.accepts([wrong, email], names))
    }

    @Test("a wildcard DNS SAN covers exactly one label, as Envoy's dnsNameMatch")
    func wildcard() {
        #expect(SubjectAltNameMatcher.wildcardDNSMatch(name: "api.example.com", san: "*.example.com"))
        #expect(SubjectAltNameMatcher.wildcardDNSMatch(name: "API.Example.com", san: "*.example.COM"))
        #expect(!SubjectAltNameMatcher.wildcardDNSMatch(name: "a.b.example.com", san: "*.example.com"))
        #expect(!SubjectAltNameMatcher.wildcardDNSMatch(name: "example.com", san: "*.example.com"))
        #expect(!SubjectAltNameMatcher.wildcardDNSMatch(name: "api.example.com", san: "api.example.com"))
    }
}
