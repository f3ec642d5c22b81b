import NIOHTTP1

/// What the connection manager does to every response's headers on the way out: the `server`
/// header as configured, `date` when missing, hop-by-hop headers stripped, `connection: close`
/// when the connection ends after this response, and `x-request-id` when asked.
enum ResponseHeaderPolicy {
    static func apply(_ head: inout HTTPResponseHead, stream: ActiveStream) {
        let config = stream.config
        // One pass finds what is there, so the usual response costs no removals (each would
        // walk the whole block).
        let scan = HeaderScan(head.headers)
        switch config.serverHeader {
        case .overwrite:
            if scan.contains(.server) {
                head.headers.replaceOrAdd(name: "server", value: config.serverName)
            } else {
                head.headers.add(name: "server", value: config.serverName)
            }
        case .appendIfAbsent: if !scan.contains(.server) { head.headers.add(name: "server", value: config.serverName) }
        case .passThrough: break
        }
        if !scan.contains(.date) {
            head.headers.add(name: "date", value: stream.workerState.date.value)
        }
        if scan.contains(.keepAlive) { head.headers.remove(name: "keep-alive") }
        if scan.contains(.proxyConnection) { head.headers.remove(name: "proxy-connection") }
        if head.status != .switchingProtocols {
            if scan.contains(.connection) { head.headers.remove(name: "connection") }
            if scan.contains(.upgrade) { head.headers.remove(name: "upgrade") }
        }
        if stream.codec.closingAfterResponse, head.status != .switchingProtocols {
            head.headers.add(name: "connection", value: "close")  // any earlier one was removed above
        }
        if config.alwaysSetRequestIDInResponse, let id = stream.requestHead?.headers.first(name: "x-request-id") {
            head.headers.replaceOrAdd(name: "x-request-id", value: id)
        }
        head.version = stream.downstreamVersion == .http1_0 ? .http1_0 : .http1_1
    }
}
