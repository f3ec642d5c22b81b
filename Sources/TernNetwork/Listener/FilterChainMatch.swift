import NIOCore

/// The compiled `filter_chain_match`. Empty lists mean "any".
public struct FilterChainMatch: Sendable, Equatable {
    /// `source_type`: where the connection comes from.
    public enum SourceType: Sendable, Equatable {
        case any
        /// The peer is a loopback address or the connection's own local address.
        case sameIPOrLoopback
        case external
    }

    public var destinationPort: Int?
    public var prefixRanges: [CIDRRange]
    /// Lowercased, as Envoy stores them; `*.example.com` is a wildcard.
    public var serverNames: [String]
    public var transportProtocol: String
    public var applicationProtocols: [String]
    public var directSourcePrefixRanges: [CIDRRange]
    public var sourceType: SourceType
    public var sourcePrefixRanges: [CIDRRange]
    public var sourcePorts: [Int]

    public init(destinationPort: Int? = nil, prefixRanges: [CIDRRange] = [], serverNames: [String] = [],
                transportProtocol: String = "", applicationProtocols: [String] = [],
                directSourcePrefixRanges: [CIDRRange] = [], sourceType: SourceType = .any,
                sourcePrefixRanges: [CIDRRange] = [], sourcePorts: [Int] = []) {
        self.destinationPort = destinationPort
        self.prefixRanges = prefixRanges
        self.serverNames = serverNames.map { $0.lowercased() }
        self.transportProtocol = transportProtocol
        self.applicationProtocols = applicationProtocols
        self.directSourcePrefixRanges = directSourcePrefixRanges
        self.sourceType = sourceType
        self.sourcePrefixRanges = sourcePrefixRanges
        self.sourcePorts = sourcePorts
    }

    /// True when some connection could be matched by both on every criterion with the same
    /// specificity, which Envoy refuses at load: it spreads each match over every combination of
    /// its listed values (an empty list is one "any" value) and no combination may appear twice.
    public func overlaps(_ other: FilterChainMatch) -> Bool {
        func shares<T: Hashable>(_ a: [T], _ b: [T]) -> Bool {
            if a.isEmpty || b.isEmpty { return a.isEmpty && b.isEmpty }
            return !Set(a).isDisjoint(with: b)
        }
        func sharesRanges(_ a: [CIDRRange], _ b: [CIDRRange]) -> Bool {
            shares(a.map(\.normalized), b.map(\.normalized))
        }
        return destinationPort == other.destinationPort
            && sharesRanges(prefixRanges, other.prefixRanges)
            && shares(serverNames, other.serverNames)
            && transportProtocol == other.transportProtocol
            && shares(applicationProtocols, other.applicationProtocols)
            && sharesRanges(directSourcePrefixRanges, other.directSourcePrefixRanges)
            && sourceType == other.sourceType
            && sharesRanges(sourcePrefixRanges, other.sourcePrefixRanges)
            && shares(sourcePorts, other.sourcePorts)
    }
}

/// What is known about a connection when its chain is chosen (after listener filters).
public struct ConnectionMatchProperties: Sendable {
    public var destination: SocketAddress?
    public var source: SocketAddress?
    /// The peer that connected to Tern (Envoy's direct remote address). Without the PROXY
    /// protocol listener filter, which Tern lacks, it is always `source`.
    public var directSource: SocketAddress?
    /// SNI, from tls_inspector, lowercased (empty when unknown).
    public var serverName: String
    /// `raw_buffer` or `tls`.
    public var transportProtocol: String
    /// ALPN offered by the client, in its order of preference.
    public var applicationProtocols: [String]

    public init(destination: SocketAddress?, source: SocketAddress?, serverName: String = "",
                transportProtocol: String = "raw_buffer", applicationProtocols: [String] = []) {
        self.destination = destination
        self.source = source
        self.directSource = source
        self.serverName = serverName
        self.transportProtocol = transportProtocol
        self.applicationProtocols = applicationProtocols
    }
}

/// An IP prefix (`address_prefix` / `prefix_len`).
public struct CIDRRange: Sendable, Equatable {
    public let bytes: [UInt8]
    public let prefixLength: Int

    public init?(address: String, prefixLength: Int) {
        guard let parsed = CIDRRange.parse(address) else { return nil }
        let maxLen = parsed.count * 8
        guard prefixLength >= 0, prefixLength <= maxLen else { return nil }
        self.bytes = parsed
        self.prefixLength = prefixLength
    }

    /// True when `address` lies in this range (same family only).
    public func contains(_ address: SocketAddress) -> Bool {
        guard let ip = address.ipAddress, let other = CIDRRange.parse(ip), other.count == bytes.count else { return false }
        var remaining = prefixLength
        var i = 0
        while remaining > 0 {
            let mask: UInt8 = remaining >= 8 ? 0xFF : ~(0xFF >> UInt8(remaining))
            if bytes[i] & mask != other[i] & mask { return false }
            remaining -= 8
            i += 1
        }
        return true
    }

    /// The range with the bits past the prefix cleared (`10.1.2.3/8` and `10.0.0.0/8` are one
    /// range), as a hashable key.
    var normalized: [UInt8] {
        var out = bytes
        for i in out.indices {
            let bitsLeft = prefixLength - i * 8
            out[i] &= bitsLeft >= 8 ? 0xFF : bitsLeft <= 0 ? 0 : ~(0xFF >> UInt8(bitsLeft))
        }
        return out + [UInt8(prefixLength)]
    }

    /// True for 127.0.0.0/8 and ::1 (and IPv4-mapped loopback).
    static func isLoopback(_ address: SocketAddress) -> Bool {
        guard let ip = address.ipAddress, let bytes = parse(ip) else { return false }
        if bytes.count == 4 { return bytes[0] == 127 }
        if bytes[0..<15].allSatisfy({ $0 == 0 }) { return bytes[15] == 1 }
        let mapped = bytes[0..<10].allSatisfy { $0 == 0 } && bytes[10] == 0xFF && bytes[11] == 0xFF
        return mapped && bytes[12] == 127
    }

    static func parse(_ ip: String) -> [UInt8]? {
        guard let sa = try? SocketAddress(ipAddress: ip, port: 0) else { return nil }
        switch sa {
        case .v4(let a):
            return withUnsafeBytes(of: a.address.sin_addr) { Array($0) }
        case .v6(let a):
            return withUnsafeBytes(of: a.address.sin6_addr) { Array($0) }
        default:
            return nil
        }
    }
}
