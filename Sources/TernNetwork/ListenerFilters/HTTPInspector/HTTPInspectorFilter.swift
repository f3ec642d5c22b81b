import NIOCore

/// `envoy.filters.listener.http_inspector` on one connection: on a plaintext connection it sets
/// the application protocols to `http/1.1`, `http/1.0` or `h2c` when the first bytes are HTTP;
/// on a connection another filter found to be TLS it does nothing (ALPN is the TLS answer).
final class HTTPInspectorFilter: ListenerFilter {
    private let sniffer = HTTPProtocolSniffer()
    private let stats: HTTPInspectorStats
    private let worker: Int

    init(stats: HTTPInspectorStats, worker: Int) {
        self.stats = stats
        self.worker = worker
    }

    func onData(_ bytes: ByteBuffer, properties: inout ConnectionMatchProperties) -> ListenerFilterStatus {
        guard properties.transportProtocol == "raw_buffer" else { return .continue }
        switch sniffer.sniff(bytes) {
        case .needMoreData:
            guard bytes.readableBytes < HTTPProtocolSniffer.maxInspectSize else {
                // Envoy drops a connection whose request line does not end within the limit.
                stats.readError.inc(worker: worker)
                return .close
            }
            return .needMoreData
        case .notHTTP:
            stats.httpNotFound.inc(worker: worker)
            return .continue
        case .found(let protocolName):
            switch protocolName {
            case "h2c": stats.http2Found.inc(worker: worker)
            case "http/1.1": stats.http11Found.inc(worker: worker)
            default: stats.http10Found.inc(worker: worker)
            }
            properties.applicationProtocols = [protocolName]
            return .continue
        }
    }
}
