import NIOCore
import NIOHTTP1
import TernConfig

/// One compiled `envoy.config.route.v3.RateLimit.Action`: how a request yields one descriptor
/// entry, with Envoy's default keys (`remote_address`, `generic_key`, `header_match`,
/// `masked_remote_address`).
enum RateLimitAction: Sendable {
    case requestHeader(name: String, key: String, skipIfAbsent: Bool)
    case queryParameter(name: String, key: String, skipIfAbsent: Bool)
    case remoteAddress
    case maskedRemoteAddress(v4: Int, v6: Int)
    case genericKey(key: String, value: String)
    case headerValueMatch(key: String, value: String, expectMatch: Bool, headers: [HeaderMatch], defaultValue: String)

    /// What an action made of a request.
    enum Outcome {
        case entry(RateLimitDescriptor.Entry)
        /// No entry, but the descriptor is still made from the other actions (`skip_if_absent`).
        case skip
        /// No descriptor from this rate limit at all.
        case none
    }

    typealias Proto = Envoy_Config_Route_V3_RateLimit.Action

    init(proto: Proto, path: String) throws {
        switch proto.actionSpecifier {
        case .requestHeaders(let a):
            guard !a.headerName.isEmpty else { throw CompileError(path + ".request_headers.header_name", "required") }
            guard !a.descriptorKey.isEmpty else { throw CompileError(path + ".request_headers.descriptor_key", "required") }
            self = .requestHeader(name: a.headerName.lowercased(), key: a.descriptorKey, skipIfAbsent: a.skipIfAbsent)
        case .queryParameters(let a):
            guard !a.queryParameterName.isEmpty else {
                throw CompileError(path + ".query_parameters.query_parameter_name", "required")
            }
            guard !a.descriptorKey.isEmpty else { throw CompileError(path + ".query_parameters.descriptor_key", "required") }
            self = .queryParameter(name: a.queryParameterName, key: a.descriptorKey, skipIfAbsent: a.skipIfAbsent)
        case .remoteAddress:
            self = .remoteAddress
        case .maskedRemoteAddress(let a):
            let v4 = a.hasV4PrefixMaskLen ? Int(a.v4PrefixMaskLen.value) : 32
            let v6 = a.hasV6PrefixMaskLen ? Int(a.v6PrefixMaskLen.value) : 128
            guard v4 <= 32 else { throw CompileError(path + ".masked_remote_address.v4_prefix_mask_len", "must be at most 32") }
            guard v6 <= 128 else { throw CompileError(path + ".masked_remote_address.v6_prefix_mask_len", "must be at most 128") }
            self = .maskedRemoteAddress(v4: v4, v6: v6)
        case .genericKey(let a):
            guard !a.descriptorValue.isEmpty else { throw CompileError(path + ".generic_key.descriptor_value", "required") }
            self = .genericKey(key: a.descriptorKey.isEmpty ? "generic_key" : a.descriptorKey, value: a.descriptorValue)
        case .headerValueMatch(let a):
            guard !a.descriptorValue.isEmpty else {
                throw CompileError(path + ".header_value_match.descriptor_value", "required")
            }
            guard !a.headers.isEmpty else { throw CompileError(path + ".header_value_match.headers", "at least one is required") }
            let headers = try a.headers.enumerated().map {
                try HeaderMatch(proto: $0.element, path: "\(path).header_value_match.headers[\($0.offset)]")
            }
            self = .headerValueMatch(key: a.descriptorKey.isEmpty ? "header_match" : a.descriptorKey, value: a.descriptorValue,
                                     expectMatch: a.hasExpectMatch ? a.expectMatch.value : true, headers: headers,
                                     defaultValue: a.defaultValue)
        case nil:
            throw CompileError(path, "one action is required")
        }
    }

    /// The entry this action makes for a request; `remote` is the trusted client address.
    func populate(_ head: HTTPRequestHead, remote: SocketAddress?) -> Outcome {
        switch self {
        case .requestHeader(let name, let key, let skip):
            guard let value = Self.header(name, in: head) else { return skip ? .skip : .none }
            return .entry(.init(key: key, value: value))
        case .queryParameter(let name, let key, let skip):
            guard let value = Self.queryParameter(name, in: head.uri) else { return skip ? .skip : .none }
            return .entry(.init(key: key, value: value))
        case .remoteAddress:
            guard let ip = remote?.ipAddress else { return .none }
            return .entry(.init(key: "remote_address", value: ip))
        case .maskedRemoteAddress(let v4, let v6):
            guard let remote, let masked = Self.masked(remote, v4: v4, v6: v6) else { return .none }
            return .entry(.init(key: "masked_remote_address", value: masked))
        case .genericKey(let key, let value):
            return .entry(.init(key: key, value: value))
        case .headerValueMatch(let key, let value, let expectMatch, let headers, let defaultValue):
            let matched: Bool
            if headers.contains(where: { $0.name.hasPrefix(":") }) {
                // Envoy's matchers see the pseudo-headers; the HTTP/1 head carries them elsewhere.
                var all = head.headers
                all.add(name: ":method", value: head.method.rawValue)
                all.add(name: ":path", value: head.uri)
                all.add(name: ":scheme", value: "http")
                if let host = head.headers.first(name: "host") { all.add(name: ":authority", value: host) }
                matched = headers.allSatisfy { $0.matches(all) }
            } else {
                matched = headers.allSatisfy { $0.matches(head.headers) }
            }
            if matched == expectMatch {
                return .entry(.init(key: key, value: value))
            }
            return defaultValue.isEmpty ? .none : .entry(.init(key: key, value: defaultValue))
        }
    }

    // MARK: - request values

    /// A header's first value; the pseudo-headers Envoy's actions may name map onto the HTTP/1 head.
    static func header(_ name: String, in head: HTTPRequestHead) -> String? {
        switch name {
        case ":path": return head.uri
        case ":method": return head.method.rawValue
        case ":authority": return head.headers.first(name: "host")
        case ":scheme": return "http"
        default: return head.headers.first(name: name)
        }
    }

    /// The first value of a query parameter, percent-decoded (`a=1&b=2`; a bare `a` is "").
    static func queryParameter(_ name: String, in uri: String) -> String? {
        guard let q = uri.firstIndex(of: "?") else { return nil }
        var query = uri[uri.index(after: q)...]
        if let hash = query.firstIndex(of: "#") { query = query[..<hash] }
        for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
            let eq = pair.firstIndex(of: "=")
            let rawKey = eq.map { pair[..<$0] } ?? pair
            guard percentDecoded(rawKey) == name else { continue }
            return eq.map { percentDecoded(pair[pair.index(after: $0)...]) } ?? ""
        }
        return nil
    }

    static func percentDecoded(_ s: Substring) -> String {
        guard s.contains("%") else { return String(s) }
        var out: [UInt8] = []
        var bytes = Array(s.utf8)[...]
        while let b = bytes.popFirst() {
            if b == UInt8(ascii: "%"), bytes.count >= 2,
               let v = UInt8(String(decoding: bytes.prefix(2), as: UTF8.self), radix: 16) {
                out.append(v)
                bytes = bytes.dropFirst(2)
            } else {
                out.append(b)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// `address` with all but its first `v4`/`v6` bits cleared, as `ip/len` (Envoy's CIDR string).
    static func masked(_ address: SocketAddress, v4: Int, v6: Int) -> String? {
        var bytes: [UInt8]
        let length: Int
        switch address {
        case .v4(let a):
            bytes = withUnsafeBytes(of: a.address.sin_addr) { Array($0) }
            length = v4
        case .v6(let a):
            bytes = withUnsafeBytes(of: a.address.sin6_addr) { Array($0) }
            length = v6
        default:
            return nil
        }
        for i in bytes.indices {
            let keep = max(0, min(8, length - i * 8))
            bytes[i] &= keep == 8 ? 0xFF : ~(0xFF >> UInt8(keep))
        }
        guard let ip = (try? SocketAddress(packedIPAddress: ByteBuffer(bytes: bytes), port: 0))?.ipAddress else { return nil }
        return "\(ip)/\(length)"
    }
}
