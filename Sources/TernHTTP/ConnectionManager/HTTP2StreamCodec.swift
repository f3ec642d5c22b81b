import NIOCore
internal import NIOHPACK
import NIOHTTP1
internal import NIOHTTP2
import TernHTTP2
import TernNetwork

/// The downstream side of one HTTP/2 stream, fed by its connection (`HTTP2ServerConnection`,
/// which hands it the stream's frames) and feeding one `ActiveStream`. Request HEADERS become an
/// HTTP/1-shaped head (`:method`/`:path` the request line, `:authority` the `host` header) so the
/// connection manager's header policy, the filters and the router see the same head for both
/// protocols; DATA and trailing HEADERS become body and trailers. The response goes back as
/// HEADERS, DATA and trailing HEADERS with the connection-specific headers HTTP/2 forbids removed.
///
/// A stream is a plain object, not a child channel: the codec has no multiplexer, so a
/// stream costs no channel, pipeline or promise of its own. That makes the stream's flow control
/// Tern's: it returns the request bytes it consumed with WINDOW_UPDATE (holding them while reads
/// are disabled, so a client that outruns the upstream stops after one window), and it is
/// writable while the codec holds little of its response unsent (`HTTP2StreamSendBuffer`).
final class HTTP2StreamCodec: StreamCodec {
    let id: HTTP2StreamID
    let config: HTTPConnectionManagerConfig
    let connection: DownstreamConnection
    let workerState: HTTPWorkerState
    /// The connection owns the stream: its table holds it until the codec closed the stream and
    /// the active stream is done with it, and then until the end of the event-loop tick (so a
    /// call that ends the stream never returns into a freed object).
    unowned(unsafe) let server: HTTP2ServerConnection
    var stream: ActiveStream?
    /// The request head arrived; later HEADERS are trailers.
    var sawHead = false
    /// The response ended before the request: the rest of the request is dropped.
    var ignoringRequest = false
    /// Frames that arrive while reads are disabled wait here.
    var reads = HTTP2ReadGate()
    /// Request bytes consumed and not yet given back to the client with WINDOW_UPDATE.
    var window: HTTP2InboundWindow
    /// The response body the codec holds unsent (windows closed).
    var sendBuffer: HTTP2StreamSendBuffer
    /// The response's last frame was handed to the codec.
    var responseEnded = false
    /// The response head and body chunk not yet handed to the codec (see `writeResponseHead`).
    var heldHead: HTTPResponseHead?
    var heldBody: ByteBuffer?
    /// What is held ends the response: it came before the request ended, and waits for the
    /// tick to end so a frame of the same read that breaks the protocol resets the stream
    /// without it (the client hears the error, not a response to a request it broke).
    var heldEnd = false
    /// The RST_STREAM (NO_ERROR) that stops the request is on its way.
    var resetScheduled = false
    var waitingForTick = false
    /// The codec closed the stream (both sides ended, or a reset).
    var closed = false
    let createdAt: NIODeadline
    /// A response head was written: the stream has a response code (Envoy's premature-reset test).
    var respondedWithHead = false
    /// The response ended before the request: its reset (NO_ERROR) is still to be sent.
    var awaitingRequestEnd = false
    /// The request's `content-length`, and the DATA bytes received against it (RFC 9113
    /// §8.1.1: a mismatch makes the request malformed).
    var declaredLength: Int?
    var receivedLength = 0

    init(id: HTTP2StreamID, server: HTTP2ServerConnection, sendWindow: Int) {
        self.id = id
        self.server = server
        self.config = server.config
        self.connection = server.connection
        self.workerState = server.workerState
        self.createdAt = server.workerState.clock.now
        self.sendBuffer = HTTP2StreamSendBuffer(window: sendWindow)
        self.window = HTTP2InboundWindow(target: server.config.http2.initialStreamWindowSize)
    }

    // MARK: - inbound (from the connection)

    func receive(_ input: HTTP2StreamInput) {
        if let input = reads.admit(input) { deliver(input) }
    }

    private func deliver(_ input: HTTP2StreamInput) {
        switch input {
        case .headers(let fields, let endStream):
            if !sawHead {
                sawHead = true
                onHead(fields, endStream: endStream)
            } else if let declared = declaredLength, receivedLength != declared {
                lengthMismatch()  // trailers end the request short of its content-length
            } else if !ignoringRequest, let stream, !stream.requestComplete {
                // Trailing HEADERS always end the request (RFC 9113 §8.1).
                guard let trailers = HTTP2RequestHeaders.trailers(fields) else {
                    refuseMalformed()
                    return
                }
                stream.onRequestEnd(trailers)
            } else if awaitingRequestEnd, HTTP2RequestHeaders.trailers(fields) == nil {
                resetUnwantedRequest(.protocolError)
            }
        case .data(let buffer, let endStream, let flowControlledLength):
            consumed(flowControlledLength, endStream: endStream)
            if let declared = declaredLength {
                receivedLength += buffer.readableBytes
                if receivedLength > declared || (endStream && receivedLength != declared) {
                    lengthMismatch()
                    return
                }
            }
            if awaitingRequestEnd, !endStream { resetUnwantedRequest() }
            guard !ignoringRequest, let stream, !stream.requestComplete else { return }
            if buffer.readableBytes > 0 {
                stream.onRequestBody(buffer)
            }
            // The stream may have finished (a local reply) while the body was handed over.
            if endStream, let s = self.stream, !s.requestComplete { s.onRequestEnd(nil) }
        }
    }

    /// Gives request bytes back to the client once half the stream's window was consumed (as
    /// NIOHTTP2's window manager does), unless the client will send no more.
    private func consumed(_ bytes: Int, endStream: Bool) {
        guard !endStream, !closed else {
            window.reset()
            return
        }
        if let increment = window.consumed(bytes) {
            server.codec?.writeWindowUpdate(id, increment)
            server.requestFlush()
        }
    }

    private func onHead(_ fields: HTTP2Fields, endStream: Bool) {
        guard let head = HTTP2RequestHeaders.request(fields, endStream: endStream, contentLength: &declaredLength),
              !endStream || (declaredLength ?? 0) == 0 else {
            refuseMalformed()
            return
        }
        let scan = HeaderScan(head.headers)
        let s = ActiveStream(config: config, connection: connection, codec: self, workerState: workerState)
        stream = s
        s.onRequestHead(consume head, endStream: endStream, scan: scan)
    }

    /// DATA that does not add up to the request's content-length: malformed, whether or not the
    /// response already went.
    private func lengthMismatch() {
        declaredLength = nil
        if awaitingRequestEnd {
            resetUnwantedRequest(.protocolError)
        } else {
            refuseMalformed()
        }
    }

    /// A malformed request (RFC 9113 §8.1.1): RST_STREAM PROTOCOL_ERROR, and whatever the
    /// stream had started is reset.
    private func refuseMalformed() {
        ignoringRequest = true
        reads.drop()
        if let s = stream {
            stream = nil
            s.downstreamReset()
        }
        guard !closed else { return }
        server.codec?.writeReset(id, .protocolError)
        server.requestFlush()
    }

    /// The codec closed the stream: both sides ended, the client reset it, or the connection went.
    func closed(by server: HTTP2ServerConnection) {
        guard !closed else { return }
        closed = true
        reads.drop()
        heldHead = nil
        heldBody = nil
        heldEnd = false
        // Closed before the response finished: the client reset the stream, or the connection
        // went. (A stream that ended normally closes as its last frame is written, before the
        // active stream has heard it is complete; that is not a reset.)
        if !responseEnded, let s = stream {
            stream = nil
            s.downstreamReset()
        }
        // Envoy's premature reset: a stream that ended within its first second without a
        // response (whole seconds, as Envoy truncates them: under 2 s).
        server.streamEnded(premature: !respondedWithHead && workerState.clock.now - createdAt < .seconds(2))
        if stream == nil { server.release(self) }
    }

    // MARK: - send window (from the connection)

    func sendWindowReported(_ window: Int) {
        if sendBuffer.windowReported(window) { stream?.downstreamBecameWritable() }
    }

    // MARK: - StreamCodec

    var isWritable: Bool { sendBuffer.isWritable }
    /// HTTP/2 never closes the connection for one response.
    var closingAfterResponse: Bool { false }

    func setReadDisabled(_ disabled: Bool) {
        reads.paused = disabled
        while let payload = reads.next() { deliver(payload) }
    }

    func write100Continue() {
        let headers = HPACKHeaders([(":status", "100")])
        emitHeaders(headers, endStream: false)
        server.requestFlush()
    }

    // The response's frames wait for the next write or the end of the event-loop tick: a
    // response whose end arrives with its last chunk (as an upstream read usually brings them)
    // ends on that DATA frame instead of an empty one after it.

    func writeResponseHead(_ head: HTTPResponseHead, endStream: Bool) {
        respondedWithHead = true
        if endStream {
            responseEnded = true
            if requestOpen {
                heldHead = head
                heldEnd = true
                waitForTick()
            } else {
                emitHead(head, endStream: true)
            }
        } else {
            heldHead = head
            waitForTick()
        }
        server.requestFlush()
    }

    func writeResponseBody(_ data: ByteBuffer, endStream: Bool) {
        if data.readableBytes == 0, !endStream { return }
        if data.readableBytes > 0 {
            config.stats.downstreamCxTxBytesTotal.inc(worker: connection.worker.index, by: UInt64(data.readableBytes))
        }
        _ = sendBuffer.wrote(data.readableBytes)
        if endStream { responseEnded = true }
        releaseHead()
        if let held = heldBody {
            heldBody = nil
            if endStream, data.readableBytes == 0 {
                endResponse(with: held)
                server.requestFlush()
                return
            }
            emitData(held, endStream: false)
        }
        if endStream {
            endResponse(with: data)
        } else {
            heldBody = data
            waitForTick()
        }
        server.requestFlush()
    }

    func writeResponseTrailers(_ trailers: HTTPHeaders) {
        releaseHead()
        if let held = heldBody {
            heldBody = nil
            emitData(held, endStream: false)
        }
        responseEnded = true
        emitHeaders(HTTP2ResponseHeaders.trailerFields(trailers), endStream: true)
        server.requestFlush()
    }

    /// The response's last DATA: held while the request is still open (see `heldEnd`).
    private func endResponse(with data: ByteBuffer) {
        if requestOpen {
            heldBody = data
            heldEnd = true
            waitForTick()
        } else {
            emitData(data, endStream: true)
        }
    }

    /// The request has not ended yet.
    private var requestOpen: Bool {
        guard let stream else { return false }
        return !stream.requestComplete
    }

    /// The tick is ending: what is held goes out.
    func releaseHeld() {
        waitingForTick = false
        let body = heldBody
        let end = heldEnd
        heldBody = nil
        heldEnd = false
        if let head = heldHead {
            heldHead = nil
            emitHead(head, endStream: end && body == nil)
        }
        if let body { emitData(body, endStream: end) }
    }

    private func waitForTick() {
        guard !waitingForTick else { return }
        waitingForTick = true
        server.holdUntilTick(self)
    }

    private func releaseHead() {
        guard let head = heldHead else { return }
        heldHead = nil
        emitHead(head, endStream: false)
    }

    // The response's frames go to the codec (the flood limits count them as it writes them to
    // the channel); none once the stream is closed.

    private func emitHeaders(_ fields: HPACKHeaders, endStream: Bool) {
        guard !closed else { return }
        server.codec?.writeHeaders(id, fields, endStream: endStream)
    }

    /// The response head, written straight into the codec's header block.
    private func emitHead(_ head: HTTPResponseHead, endStream: Bool) {
        guard !closed else { return }
        server.codec?.writeHeaders(id, endStream: endStream) { HTTP2ResponseHeaders.append(head, to: &$0) }
    }

    private func emitData(_ data: ByteBuffer, endStream: Bool) {
        guard !closed else { return }
        server.codec?.writeData(id, data, endStream: endStream)
    }

    /// RST_STREAM with NO_ERROR, as Envoy's codec does for a local reset; the connection and its
    /// other streams go on.
    func resetStream() {
        stream = nil
        ignoringRequest = true
        reads.drop()
        heldHead = nil
        heldBody = nil
        heldEnd = false
        guard !closed else {
            server.release(self)
            return
        }
        server.codec?.writeReset(id, .noError)
        server.requestFlush()
    }

    func switchToTunnel(_ tunnel: TunnelHandler) -> Bool { false }

    /// Every write above already asks the connection for a flush.
    func flush() {}
}
