#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import NIOCore
import TernConfig

/// A compiled `envoy.config.core.v3.CidrRange` for RBAC: compares the raw address bytes, with no
/// string round trip per request. An address of the other family never matches, as in Envoy.
public struct RBACCIDR: Sendable, Equatable {
    let range: CIDRRange

    /// Envoy reads `prefix_len` as a plain number here: unset is 0, which matches every address
    /// of the family.
    init(proto: Envoy_Config_Core_V3_CidrRange, path: String) throws {
        let length = Int(proto.prefixLen.value)
        guard let range = CIDRRange(address: proto.addressPrefix, prefixLength: length) else {
            if CIDRRange(address: proto.addressPrefix, prefixLength: 0) == nil {
                throw CompileError(path + ".address_prefix", "'\(proto.addressPrefix)' is not an IP address")
            }
            throw CompileError(path + ".prefix_len", "prefix length \(length) is too long for '\(proto.addressPrefix)'")
        }
        self.range = range
    }

    /// True when `address` is an IP address inside the range.
    public func contains(_ address: SocketAddress?) -> Bool {
        switch address {
        case .v4(let a)?:
            guard range.bytes.count == 4 else { return false }
            return withUnsafeBytes(of: a.address.sin_addr) { prefixEqual($0) }
        case .v6(let a)?:
            guard range.bytes.count == 16 else { return false }
            return withUnsafeBytes(of: a.address.sin6_addr) { prefixEqual($0) }
        default:
            return false
        }
    }

    private func prefixEqual(_ other: UnsafeRawBufferPointer) -> Bool {
        var remaining = range.prefixLength
        var i = 0
        while remaining > 0 {
            let mask: UInt8 = remaining >= 8 ? 0xFF : ~(0xFF >> UInt8(remaining))
            if range.bytes[i] & mask != other[i] & mask { return false }
            remaining -= 8
            i += 1
        }
        return true
    }
}
