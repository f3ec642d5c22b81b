/// Turns Envoy's address strings (`ip:port`, `[v6]:port`, a pipe path) into proto3 JSON of
/// `envoy.config.core.v3.Address`, as `/listeners` and `/clusters?format=json` print them.
enum AddressJSON {
    /// `{"socket_address":{"address":…,"port_value":…}}`, or `{"pipe":{"path":…}}` for paths.
    /// A zero port is omitted, as proto3 JSON omits defaults.
    static func json(_ address: String) -> AdminJSON {
        if address.hasPrefix("/") || address.hasPrefix("@") {
            return ["pipe": ["path": .string(address)]]
        }
        let (host, port) = split(address)
        var members: [AdminJSON.Member] = [.init("address", .string(host))]
        if port != 0 { members.append(.init("port_value", .int(Int64(port)))) }
        return ["socket_address": .object(members)]
    }

    /// `127.0.0.1:80` → ("127.0.0.1", 80); `[::1]:80` → ("::1", 80); no port → (address, 0).
    static func split(_ address: String) -> (host: String, port: UInt32) {
        guard let colon = address.lastIndex(of: ":"),
              let port = UInt32(address[address.index(after: colon)...]) else { return (address, 0) }
        var host = address[..<colon]
        if host.hasPrefix("["), host.hasSuffix("]") { host = host.dropFirst().dropLast() }
        return (String(host), port)
    }
}
