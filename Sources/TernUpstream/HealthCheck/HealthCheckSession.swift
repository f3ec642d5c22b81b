import NIOCore
import NIOHTTP1
import NIOHTTP2
import NIOPosix

/// Active health checking of one host (Envoy's `ActiveHealthCheckSession`): an interval timer,
/// a timeout timer, and one connection (kept between checks with `reuse_connection`).
/// Confined to the checker's loop; `@unchecked` only so NIO's `@Sendable` callbacks can hold it.
final class HealthCheckSession: @unchecked Sendable {
    unowned let checker: HealthChecker
    let host: Host
    private var machine: HealthCheckSessionStateMachine
    private var channel: (any Channel)?
    private var intervalTimer: Scheduled<Void>?
    private var timeoutTimer: Scheduled<Void>?
    /// Increases per check; callbacks of an earlier check or connection are ignored.
    private var checkID = 0
    private var inFlight = false
    private var stopped = false
    // What the current check received.
    private var status: Int?
    private var degraded = false
    private var closeAfter = false
    private var received: [UInt8] = []
    /// Envoy's default `response_buffer_size` for HTTP body matching.
    private static let httpBodyLimit = 1024

    init(checker: HealthChecker, host: Host) {
        self.checker = checker
        self.host = host
        self.machine = HealthCheckSessionStateMachine(healthyThreshold: checker.config.healthyThreshold,
                                                      unhealthyThreshold: checker.config.unhealthyThreshold)
    }

    private var config: HealthCheckConfig { checker.config }

    func start() {
        let jitterMs = UInt64(config.initialJitter.nanoseconds / 1_000_000)
        schedule(after: .milliseconds(Int64(HealthChecker.random(jitterMs))))
    }

    func stop() {
        stopped = true
        intervalTimer?.cancel()
        timeoutTimer?.cancel()
        closeChannel()
    }

    private func schedule(after delay: TimeAmount) {
        guard !stopped else { return }
        intervalTimer = checker.loop.scheduleTask(in: delay) { self.runCheck() }
    }

    // MARK: - one check

    private func runCheck() {
        guard !stopped else { return }
        checkID += 1
        let id = checkID
        inFlight = true
        status = nil
        degraded = false
        closeAfter = !config.reuseConnection
        received = []
        checker.stats.attempt.incShared()
        timeoutTimer = checker.loop.scheduleTask(in: config.timeout) { [self] in
            guard id == checkID, inFlight else { return }
            closeChannel()
            fail(.network, retriable: false)
            // As Envoy: a host failed by timeouts says so in its flags until a check passes
            // (display only: the flag takes nothing out of rotation, so nothing is republished).
            if host.healthFlags.contains(.failedActiveHC) { host.setHealthFlag(.activeHCTimeout, true) }
        }
        if let channel, channel.isActive {
            send(on: channel)
            return
        }
        closeChannel()
        connect(id: id)
    }

    private func connect(id: Int) {
        var address = host.address
        if let port = host.healthCheckPort ?? config.altPort, let ip = address.ipAddress,
           let moved = try? SocketAddress(ipAddress: ip, port: port) {
            address = moved
        }
        let kind = config.kind
        let transport = checker.transportSocket
        let host = self.host
        ClientBootstrap(group: checker.loop)
            .connectTimeout(config.timeout)
            .channelOption(.socketOption(.so_reuseaddr), value: 1)
            .channelInitializer { channel in
                // TLS first, nearest the socket, offering the checker's codec by ALPN when the
                // context lists none (as Envoy's pools do).
                if let transport {
                    let alpn: [String]
                    switch kind {
                    case .grpc: alpn = ["h2"]
                    case .http: alpn = ["http/1.1"]
                    default: alpn = []
                    }
                    do {
                        try transport.addHandlers(to: channel, host: host, alpnFallback: alpn)
                    } catch {
                        return channel.eventLoop.makeFailedFuture(error)
                    }
                }
                if case .grpc = kind {
                    // h2c with prior knowledge; the server opens no streams, so none are accepted.
                    return channel.eventLoop.makeCompletedFuture {
                        let sync = channel.pipeline.syncOperations
                        _ = try sync.configureHTTP2Pipeline(mode: .client, connectionConfiguration: .init(),
                                                            streamConfiguration: .init()) { $0.close() }
                        try sync.addHandler(GRPCHealthCheckConnectionHandler(session: self))
                    }
                }
                if case .http = kind {
                    return channel.pipeline.addHTTPClientHandlers().flatMap {
                        channel.pipeline.addHandler(HTTPHealthCheckHandler(session: self))
                    }
                }
                return channel.pipeline.addHandler(TCPHealthCheckHandler(session: self))
            }
            .connect(to: address)
            // A failed TLS handshake is a failed connect: a network failure of the check.
            .flatMap { channel in
                (transport?.handshakeCompleted(on: channel) ?? channel.eventLoop.makeSucceededVoidFuture()).map { channel }
            }
            .whenComplete { [self] result in
                guard id == checkID, inFlight, !stopped else {
                    if case .success(let ch) = result { ch.close(promise: nil) }
                    return
                }
                switch result {
                case .success(let ch):
                    channel = ch
                    send(on: ch)
                case .failure:
                    fail(.network, retriable: false)
                }
            }
    }

    private func send(on channel: any Channel) {
        switch config.kind {
        case .http(let http):
            var head = HTTPRequestHead(version: .http1_1, method: .GET, uri: http.path)
            head.headers.add(name: "host", value: http.host.isEmpty ? checker.clusterName : http.host)
            head.headers.add(name: "user-agent", value: "Envoy/HC")
            for h in http.requestHeadersToAdd {
                if !h.append { head.headers.remove(name: h.name) }
                head.headers.add(name: h.name, value: h.value)
            }
            for name in http.requestHeadersToRemove { head.headers.remove(name: name) }
            channel.write(HTTPClientRequestPart.head(head), promise: nil)
            channel.writeAndFlush(HTTPClientRequestPart.end(nil), promise: nil)
        case .tcp(let tcp):
            // As Envoy: without expected bytes the check is connect-only; nothing is written.
            if tcp.receive.isEmpty {
                closeAfter = true
                pass()
                return
            }
            if !tcp.send.isEmpty {
                channel.writeAndFlush(channel.allocator.buffer(bytes: tcp.send), promise: nil)
            }
        case .grpc(let grpc):
            sendGRPC(grpc, on: channel)
        }
    }

    // MARK: - events from the connection (same loop)

    func httpHead(_ head: HTTPResponseHead, from ch: any Channel) {
        guard ch === channel, inFlight else { return }
        status = Int(head.status.code)
        degraded = head.headers.contains(name: "x-envoy-degraded")
        if head.version.minor == 0 || head.headers[canonicalForm: "connection"].contains(where: { $0.lowercased() == "close" }) {
            closeAfter = true
        }
    }

    func bytes(_ buffer: ByteBuffer, from ch: any Channel) {
        guard ch === channel, inFlight else { return }
        received += buffer.readableBytesView.prefix(max(0, Self.httpBodyLimit * 64 - received.count))
        if case .tcp(let tcp) = config.kind, HealthCheckPayloadMatcher.matches(tcp.receive, in: received) {
            pass()
        }
    }

    func httpEnd(from ch: any Channel) {
        guard ch === channel, inFlight, case .http(let http) = config.kind, let status else { return }
        switch http.verdict(status: status) {
        case .passed, .degraded:
            if !http.receive.isEmpty, !HealthCheckPayloadMatcher.matches(http.receive, in: received.prefix(Self.httpBodyLimit)) {
                fail(.active, retriable: false)
            } else {
                pass()
            }
        case .failed: fail(.active, retriable: false)
        case .retriableFailure: fail(.active, retriable: true)
        }
    }

    func closed(_ ch: any Channel) {
        guard ch === channel else { return }
        channel = nil
        // Closed mid-check: the host did not answer.
        if inFlight { fail(.network, retriable: false) }
    }

    /// Opens one stream on the HTTP/2 connection and writes the whole unary request on it.
    private func sendGRPC(_ grpc: GRPCHealthCheckConfig, on channel: any Channel) {
        let id = checkID
        guard let mux = try? channel.pipeline.syncOperations.handler(type: NIOHTTP2Handler.self).syncMultiplexer() else {
            return fail(.network, retriable: false)
        }
        let stream = channel.eventLoop.makePromise(of: (any Channel).self)
        mux.createStreamChannel(promise: stream) { child in
            child.eventLoop.makeCompletedFuture {
                try child.pipeline.syncOperations.addHandler(
                    GRPCHealthCheckStreamHandler(session: self, connection: channel, checkID: id))
            }
        }
        stream.futureResult.whenComplete { [self] result in
            guard case .success(let child) = result else {
                // No stream could be opened (e.g. the connection is closing): the host did not answer.
                if id == checkID, inFlight { fail(.network, retriable: false) }
                return
            }
            let head = HTTP2Frame.FramePayload.headers(.init(
                headers: grpc.requestHeaders(authority: grpc.authority.isEmpty ? checker.clusterName : grpc.authority)))
            let body = HTTP2Frame.FramePayload.data(.init(data: .byteBuffer(child.allocator.buffer(bytes: grpc.requestMessage)),
                                                          endStream: true))
            child.write(head, promise: nil)
            child.writeAndFlush(body, promise: nil)
        }
    }

    func grpcOutcome(_ outcome: GRPCHealthCheckResponseParser.Outcome, checkID id: Int, from ch: any Channel) {
        guard ch === channel, id == checkID, inFlight else { return }
        if outcome == .serving { pass() } else { fail(.active, retriable: false) }
    }

    /// The stream closed before its response decided (RST_STREAM, GOAWAY, connection loss).
    func grpcStreamReset(checkID id: Int, from ch: any Channel) {
        guard ch === channel, id == checkID, inFlight else { return }
        fail(.network, retriable: false)
    }

    /// As Envoy: a graceful GOAWAY lets the check in flight finish, then the connection closes;
    /// any other fails the check in flight and closes it now.
    func grpcGoAway(noError: Bool, from ch: any Channel) {
        guard ch === channel else { return }
        if noError, inFlight {
            closeAfter = true
        } else if inFlight {
            closeAfter = true
            fail(.network, retriable: false)
        } else {
            closeChannel()
        }
    }

    // MARK: - results

    private func pass() {
        finish { machine.passed(degraded: degraded, flags: &$0) }
        checker.stats.success.incShared()
        after(passed: true)
    }

    private func fail(_ type: HealthCheckFailureType, retriable: Bool) {
        // As Envoy, a failed gRPC check (a status, a reset stream) keeps the HTTP/2 connection:
        // only a GOAWAY, a timeout or no `reuse_connection` close it. Other checkers close it.
        if case .grpc = config.kind {} else { closeAfter = true }
        finish { machine.failed(type, retriable: retriable, flags: &$0) }
        checker.stats.failure.incShared()
        if type == .network { checker.stats.networkFailure.incShared() }
        after(passed: false)
    }

    private var lastTransition = HealthTransition.unchanged
    private var lastChanged = false

    private func finish(_ decide: (inout HostHealthFlags) -> HealthTransition) {
        inFlight = false
        timeoutTimer?.cancel()
        let before = host.healthFlags
        var flags = before
        lastTransition = decide(&flags)
        var changed = false
        for flag in [HostHealthFlags.failedActiveHC, .degradedActiveHC, .pendingActiveHC] where before.contains(flag) != flags.contains(flag) {
            if host.setHealthFlag(flag, flags.contains(flag)) { changed = true }
        }
        if !flags.contains(.failedActiveHC) { host.setHealthFlag(.activeHCTimeout, false) }
        lastChanged = changed
    }

    private func after(passed: Bool) {
        if closeAfter { closeChannel() }
        checker.sessionCompleted(self, passed: passed, changed: lastChanged)
        schedule(after: config.nextInterval(passed: passed, transition: lastTransition, hasTraffic: checker.hasTraffic,
                                            random: HealthChecker.random))
    }

    private func closeChannel() {
        // Forget the channel first: NIO delivers channelInactive synchronously inside close(), and
        // that callback must not count the check a second time (e.g. after a timeout).
        let closing = channel
        channel = nil
        closing?.close(promise: nil)
    }
}
