import NIOCore

/// The compiled `filter_chain_match`. Empty lists mean "any".
public struct FilterChainMatch: Sendable, Equatable {
    public var destinationPort: Int?
    public var prefixRanges: [CIDRRange]
    public var serverNames: [String]
    public var transportProtocol: String
    public var applicationProtocols: [String]
    public var sourcePrefixRanges: [CIDRRange]
    public var sourcePorts: [Int]

    public init(destinationPort: Int? = nil, prefixRanges: [CIDRRange] = [], serverNames: [String] = [],
                transportProtocol: String = "", applicationProtocols: [String] = [],
                sourcePrefixRanges: [CIDRRange] = [], sourcePorts: [Int] = []) {
        self.destinationPort = destinationPort
        self.prefixRanges = prefixRanges
        self.serverNames = serverNames
        self.transportProtocol = transportProtocol
        self.applicationProtocols = applicationProtocols
        self.sourcePrefixRanges = sourcePrefixRanges
        self.sourcePorts = sourcePorts
    }
}

/// What is known about a connection when its chain is chosen (after listener filters).
public struct ConnectionMatchProperties: Sendable {
    public var destination: SocketAddress?
    public var source: SocketAddress?
    /// SNI, from tls_inspector (empty when unknown).
    public var serverName: String
    /// `raw_buffer` or `tls`.
    public var transportProtocol: String
    public var applicationProtocols: [String]

    public init(destination: SocketAddress?, source: SocketAddress?, serverName: String = "",
                transportProtocol: String = "raw_buffer", applicationProtocols: [String] = []) {
        self.destination = destination
        self.source = source
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
