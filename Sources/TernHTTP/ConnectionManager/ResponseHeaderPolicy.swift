import NIOHTTP1

/// What the connection manager does to every response's headers on the way out: the `server`
/// header as configured, `date` when missing, hop-by-hop headers stripped, `connection: close`
/// when the connection ends after this response, and `x-request-id` when asked.
enum ResponseHeaderPolicy {
    static func apply(_ head: inout HTTPResponseHead, stream: ActiveStream) {
        let config = stream.config
        let switching = head.status == .switchingProtocols
        let overwriteServer = config.serverHeader == .overwrite
        // One pass that keeps what stays, then the additions: NIO's `contains`, `remove` and
        // `add` each walk the block again (and `remove` shuffles it), several times the cost.
        var kept: [(String, String)] = []
        kept.reserveCapacity(head.headers.count + 3)
        var hasServer = false
        var hasDate = false
        for (name, value) in head.headers {
            switch HeaderScan.bit(for: name) {
            case HeaderScan.server.rawValue:
                hasServer = true
                if overwriteServer { continue }
            case HeaderScan.date.rawValue:
                hasDate = true
            case HeaderScan.keepAlive.rawValue, HeaderScan.proxyConnection.rawValue:
                continue
            case HeaderScan.connection.rawValue, HeaderScan.upgrade.rawValue:
                if !switching { continue }
            default:
                break
            }
            kept.append((name, value))
        }
        switch config.serverHeader {
        case .overwrite: kept.append(("server", config.serverName))
        case .appendIfAbsent: if !hasServer { kept.append(("server", config.serverName)) }
        case .passThrough: break
        }
        if !hasDate { kept.append(("date", stream.workerState.date.value)) }
        if stream.codec.closingAfterResponse, !switching {
            kept.append(("connection", "close"))  // any earlier one was dropped above
        }
        head.headers = HTTPHeaders(kept)
        if config.alwaysSetRequestIDInResponse, let id = stream.requestHead?.headers.first(name: "x-request-id") {
            head.headers.replaceOrAdd(name: "x-request-id", value: id)
        }
        head.version = stream.downstreamVersion == .http1_0 ? .http1_0 : .http1_1
    }
}
