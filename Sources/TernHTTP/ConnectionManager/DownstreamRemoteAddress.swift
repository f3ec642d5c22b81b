import NIOCore
import NIOHTTP1

/// Envoy's "downstream remote address" of a request: the client address the connection manager
/// trusts after `x-forwarded-for` processing, as opposed to the direct peer of the connection.
/// Computed once per request from the headers as they arrived (before Tern appends to XFF).
///
/// - `use_remote_address: true`: the peer, unless `xff_num_trusted_hops` is N > 0 and the
///   incoming XFF has an address N-1 entries from its end (the trusted proxies in front of us).
/// - `use_remote_address: false`: the address `xff_num_trusted_hops` entries from the end of XFF;
///   the peer when XFF is absent, too short or not an IP address.
enum DownstreamRemoteAddress {
    static func resolve(_ headers: HTTPHeaders, hasXFF: Bool = true, useRemoteAddress: Bool, xffNumTrustedHops: Int,
                        peer: SocketAddress?) -> SocketAddress? {
        // Most requests carry no XFF: the header scan already knows, so nothing is looked up.
        guard hasXFF else { return peer }
        if useRemoteAddress {
            guard xffNumTrustedHops > 0 else { return peer }
            return lastAddressFromXFF(headers, skipping: xffNumTrustedHops - 1) ?? peer
        }
        return lastAddressFromXFF(headers, skipping: xffNumTrustedHops) ?? peer
    }

    /// The XFF entry `skipping` entries before the last one, as an address with port 0, if it is
    /// an IP address (Envoy's `getLastAddressFromXFF`).
    static func lastAddressFromXFF(_ headers: HTTPHeaders, skipping: Int) -> SocketAddress? {
        let values = headers["x-forwarded-for"]
        guard !values.isEmpty else { return nil }
        let xff = values.count == 1 ? values[0] : values.joined(separator: ",")
        let entries = xff.split(separator: ",", omittingEmptySubsequences: false)
        guard skipping < entries.count else { return nil }
        let entry = entries[entries.count - 1 - skipping].trimmingCharacters(in: .whitespaces)
        return try? SocketAddress(ipAddress: entry, port: 0)
    }
}
