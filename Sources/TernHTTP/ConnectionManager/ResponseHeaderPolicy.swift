import NIOHTTP1

/// What the connection manager does to every response's headers on the way out: the `server`
/// header as configured, `date` when missing, hop-by-hop headers stripped, `connection: close`
/// when the connection ends after this response, and `x-request-id` when asked.
enum ResponseHeaderPolicy {
    static func apply(_ head: inout HTTPResponseHead, stream: ActiveStream) {
        let config = stream.config
        // Only what is there is removed: a removal rewrites the header array even when it finds
        // nothing. `contains` walks the block without copying a string.
        switch config.serverHeader {
        case .overwrite:
            if head.headers.contains(name: "server") {
                head.headers.replaceOrAdd(name: "server", value: config.serverName)
            } else {
                head.headers.add(name: "server", value: config.serverName)
            }
        case .appendIfAbsent: if !head.headers.contains(name: "server") { head.headers.add(name: "server", value: config.serverName) }
        case .passThrough: break
        }
        if !head.headers.contains(name: "date") {
            head.headers.add(name: "date", value: stream.workerState.date.value)
        }
        if head.headers.contains(name: "keep-alive") { head.headers.remove(name: "keep-alive") }
        if head.headers.contains(name: "proxy-connection") { head.headers.remove(name: "proxy-connection") }
        if head.status != .switchingProtocols {
            if head.headers.contains(name: "connection") { head.headers.remove(name: "connection") }
            if head.headers.contains(name: "upgrade") { head.headers.remove(name: "upgrade") }
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
