import NIOCore

/// `envoy.filters.listener.tls_inspector` on one connection: a ClientHello makes the transport
/// protocol `tls` and records its SNI and ALPN; anything else is `raw_buffer`, decided on the
/// first byte that rules TLS out. Counting follows Envoy: `sni_found`/`sni_not_found` and
/// `alpn_found`/`alpn_not_found` only for connections that were TLS.
final class TLSInspectorFilter: ListenerFilter {
    private let parser: ClientHelloParser
    private let stats: TLSInspectorStats
    private let worker: Int

    init(parser: ClientHelloParser, stats: TLSInspectorStats, worker: Int) {
        self.parser = parser
        self.stats = stats
        self.worker = worker
    }

    func onData(_ bytes: ByteBuffer, properties: inout ConnectionMatchProperties) -> ListenerFilterStatus {
        switch parser.parse(bytes) {
        case .needMoreData:
            return .needMoreData
        case .notTLS:
            stats.tlsNotFound.inc(worker: worker)
            return .continue
        case .tooLarge:
            stats.clientHelloTooLarge.inc(worker: worker)
            return .close
        case .clientHello(let hello):
            if hello.serverName.isEmpty {
                stats.sniNotFound.inc(worker: worker)
            } else {
                stats.sniFound.inc(worker: worker)
                // Envoy keeps the SNI lowercased (DNS names are case-insensitive).
                properties.serverName = hello.serverName.lowercased()
            }
            stats.tlsFound.inc(worker: worker)
            if hello.hasALPN {
                stats.alpnFound.inc(worker: worker)
                properties.applicationProtocols = hello.applicationProtocols
            } else {
                stats.alpnNotFound.inc(worker: worker)
            }
            properties.transportProtocol = "tls"
            return .continue
        }
    }
}
