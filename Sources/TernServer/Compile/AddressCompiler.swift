import NIOCore
import TernConfig

/// Compiles `envoy.config.core.v3.Address` into socket addresses, with Envoy's checks and
/// Envoy's spelling of an address in stat names.
enum AddressCompiler {
    /// A bindable IP address (listeners, admin). `path` names the `Address` field.
    static func bindAddress(_ address: Envoy_Config_Core_V3_Address, path: String) throws -> SocketAddress {
        switch address.address {
        case .socketAddress(let sa):
            let p = "\(path).socket_address"
            guard sa.protocol == .tcp else {
                throw CompileError("\(p).protocol", "UDP listeners are not supported yet")
            }
            let port = try self.port(sa, path: p)
            guard !sa.address.isEmpty else { throw CompileError("\(p).address", "address is required") }
            do {
                return try SocketAddress(ipAddress: sa.address, port: port)
            } catch {
                throw CompileError("\(p).address", "'\(sa.address)' is not an IP address")
            }
        case .pipe:
            throw CompileError("\(path).pipe", "pipe (Unix domain socket) addresses are not supported yet")
        case nil:
            throw CompileError(path, "an address is required")
        }
    }

    /// `port_value`, checked to be a TCP port; `named_port` is refused as Envoy refuses it here.
    static func port(_ sa: Envoy_Config_Core_V3_SocketAddress, path: String) throws -> Int {
        switch sa.portSpecifier {
        case .portValue(let v):
            guard v <= 65535 else {
                throw CompileError("\(path).port_value", "port \(v) is out of range (0-65535)")
            }
            return Int(v)
        case .namedPort:
            throw CompileError("\(path).named_port", "named ports are not supported; use port_value")
        case nil:
            return 0
        }
    }

    /// Envoy's text for an address in stat names: `ip:port` with `:` sanitized to `_`
    /// (`0.0.0.0_10000`, `[__1]_8080`).
    static func statName(_ address: SocketAddress) -> String {
        let ip = address.ipAddress ?? "unknown"
        let port = address.port ?? 0
        let text: String
        if case .v6 = address { text = "[\(ip)]:\(port)" } else { text = "\(ip):\(port)" }
        return String(text.map { $0 == ":" ? "_" : $0 })
    }

    /// `ip:port` (IPv6 in brackets), as Envoy prints addresses in the admin API and logs.
    static func text(_ address: SocketAddress) -> String {
        let ip = address.ipAddress ?? "unknown"
        let port = address.port ?? 0
        if case .v6 = address { return "[\(ip)]:\(port)" }
        return "\(ip):\(port)"
    }
}
