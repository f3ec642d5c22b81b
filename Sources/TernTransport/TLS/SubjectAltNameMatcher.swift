/// One compiled `match_typed_subject_alt_names` entry: a SAN type and a string matcher for its
/// value. The matcher is a closure so the compiler can reuse Tern's `StringMatch` (which lives
/// above this target) without this target knowing it.
public struct SubjectAltNameMatcher: Sendable {
    /// Envoy's `SubjectAltNameMatcher.SanType`.
    public enum SANType: Sendable, Equatable {
        case email, dns, uri, ipAddress
    }

    public let type: SANType
    public let matches: @Sendable (String) -> Bool

    public init(type: SANType, matches: @escaping @Sendable (String) -> Bool) {
        self.type = type
        self.matches = matches
    }

    /// Envoy's `dnsNameMatch`: a wildcard SAN `*.example.com` covers exactly one more label
    /// (`api.example.com`, not `a.b.example.com` nor `example.com`); case-insensitive.
    public static func wildcardDNSMatch(name: String, san: String) -> Bool {
        guard san.hasPrefix("*.") else { return false }
        let suffix = san.dropFirst(1).lowercased()   // ".example.com"
        let host = name.lowercased()
        guard host.hasSuffix(suffix), host.count > suffix.count else { return false }
        return !host.dropLast(suffix.count).contains(".")
    }

    /// Envoy's "any" semantics: the certificate passes when one matcher matches one SAN of its type.
    /// An empty list accepts every certificate.
    public static func accepts(_ matchers: [SubjectAltNameMatcher], _ names: PeerSubjectAltNames) -> Bool {
        if matchers.isEmpty { return true }
        return matchers.contains { m in names.values(of: m.type).contains(where: m.matches) }
    }
}

/// The subject alternative names of a peer certificate, by type, as strings (IP addresses in
/// their usual text form, URIs such as SPIFFE IDs as written).
public struct PeerSubjectAltNames: Sendable, Equatable {
    public var dns: [String] = []
    public var uri: [String] = []
    public var email: [String] = []
    public var ipAddress: [String] = []

    public init(dns: [String] = [], uri: [String] = [], email: [String] = [], ipAddress: [String] = []) {
        self.dns = dns
        self.uri = uri
        self.email = email
        self.ipAddress = ipAddress
    }

    public func values(of type: SubjectAltNameMatcher.SANType) -> [String] {
        switch type {
        case .dns: dns
        case .uri: uri
        case .email: email
        case .ipAddress: ipAddress
        }
    }
}
