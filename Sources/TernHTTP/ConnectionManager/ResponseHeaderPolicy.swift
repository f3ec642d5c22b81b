import NIOHTTP1

/// What the connection manager does to every response's headers on the way out: the `server`
/// header as configured, `date` when missing, hop-by-hop headers stripped, `connection: close`
/// when the connection ends after this response, and `x-request-id` when asked.
enum ResponseHeaderPolicy {
    static func apply(_ head: inout HTTPResponseHead, stream: ActiveStream) {
        let config = stream.config
        let switching = head.status == .switchingProtocols
        // `contains` walks the block without copying a string; removals rewrite it, so whatever
        // must go goes in one pass.
        let hasServer = head.headers.contains(name: "server")
        var drop = HeaderScan(rawValue: 0)
        if config.serverHeader == .overwrite && hasServer { drop.insert(.server) }
        if head.headers.contains(name: "keep-alive") { drop.insert(.keepAlive) }
        if head.headers.contains(name: "proxy-connection") { drop.insert(.proxyConnection) }
        if !switching {
            if head.headers.contains(name: "connection") { drop.insert(.connection) }
            if head.headers.contains(name: "upgrade") { drop.insert(.upgrade) }
        }
        if drop == .server || drop == [.server, .connection] {
            // The usual cases, an upstream that names itself (and, over HTTP/1.1, says
            // keep-alive): removals in the block's own storage, without rebuilding it.
            if drop.contains(.connection) { head.headers.remove(name: "connection") }
            head.headers.replaceOrAdd(name: "server", value: config.serverName)
        } else {
            if !drop.isEmpty { remove(drop, from: &head.headers) }
            switch config.serverHeader {
            case .overwrite: head.headers.add(name: "server", value: config.serverName)
            case .appendIfAbsent: if !hasServer { head.headers.add(name: "server", value: config.serverName) }
            case .passThrough: break
            }
        }
        if !head.headers.contains(name: "date") {
            head.headers.add(name: "date", value: stream.workerState.date.value)
        }
        if stream.codec.closingAfterResponse, !switching {
            head.headers.add(name: "connection", value: "close")  // any earlier one was removed above
        }
        if config.alwaysSetRequestIDInResponse, let id = stream.requestHead?.headers.first(name: "x-request-id") {
            head.headers.replaceOrAdd(name: "x-request-id", value: id)
        }
        head.version = stream.downstreamVersion == .http1_0 ? .http1_0 : .http1_1
    }

    /// The block without the fields `drop` names, rebuilt once.
    private static func remove(_ drop: HeaderScan, from headers: inout HTTPHeaders) {
        var kept: [(String, String)] = []
        kept.reserveCapacity(headers.count + 3)
        for (name, value) in headers where drop.rawValue & HeaderScan.bit(for: name) == 0 {
            kept.append((name, value))
        }
        headers = HTTPHeaders(kept)
    }
}
