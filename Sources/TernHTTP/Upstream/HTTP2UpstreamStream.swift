import NIOCore
internal import NIOHPACK
import NIOHTTP1
internal import NIOHTTP2
import TernHTTP2
import TernUpstream

/// One request on an upstream HTTP/2 connection, a plain object its connection
/// (`HTTP2UpstreamConnection`) hands the stream's frames to: the codec has no
/// multiplexer, so a stream costs no child channel. The router writes an HTTP/1-shaped head,
/// body and trailers; they go out as HEADERS, DATA and trailing HEADERS. The response comes
/// back to the delegate the same way an HTTP/1.1 response does.
///
/// The stream id is taken when the head is sent (ids must reach the codec in increasing order).
///
/// Flow control: the stream is writable while the codec holds little of its body unsent
/// (`HTTP2StreamSendBuffer`: a window closed), and tells the delegate when
/// that changes, which pauses the downstream;
/// `setReadPaused` holds the response frames that arrive and their WINDOW_UPDATE, so the
/// upstream stops after one stream window.
final class HTTP2UpstreamStream: UpstreamRequestStream {
    /// Strong while the stream is open; the connection forgets the stream when it closes.
    let connection: HTTP2UpstreamConnection
    var delegate: (any UpstreamResponseDelegate)?
    private(set) var id: HTTP2StreamID?
    private let stats: ClusterStats
    private let worker: Int
    private var sawFinalHead = false
    private var responseEnded = false
    private var requestEnded = false
    /// Response frames that arrive while reading is paused wait here.
    private var reads = HTTP2ReadGate()
    private var window: HTTP2InboundWindow
    /// The request body the codec holds unsent.
    var sendBuffer: HTTP2StreamSendBuffer
    /// The codec created the stream (it took its HEADERS), so it will say when it closes.
    var created = false
    /// Why the stream closed, when known (RST_STREAM code, GOAWAY refusal, errors).
    var resetReason: UpstreamResetReason?
    private(set) var closed = false
    /// The codec closed the stream while response frames were still held: the close waits for them.
    private var closePending = false
    /// In the connection's list of streams that got frames during the current read.
    var readThisRead = false
    /// The request was HEAD: its response's content-length describes no body.
    private var headRequest = false
    /// The response's `content-length` and the DATA bytes received against it (RFC 9113 §8.1.1).
    private var declaredLength: Int?
    private var receivedLength = 0

    init(connection: HTTP2UpstreamConnection, stats: ClusterStats, worker: Int, receiveWindow: Int, sendWindow: Int) {
        self.connection = connection
        self.stats = stats
        self.worker = worker
        self.window = HTTP2InboundWindow(target: receiveWindow)
        self.sendBuffer = HTTP2StreamSendBuffer(window: sendWindow)
    }

    // MARK: - the request

    func sendHead(_ head: HTTPRequestHead, endStream: Bool) {
        guard !closed, id == nil else { return }
        let id = connection.register(self)
        self.id = id
        headRequest = head.method == .HEAD
        if endStream { requestEnded = true }
        // Created as the codec takes the HEADERS (a refusal, for a GOAWAY, clears it again).
        created = true
        let scheme = connection.scheme
        connection.codec?.writeHeaders(id, endStream: endStream) { HTTP2UpstreamHeaders.append(head, scheme: scheme, to: &$0) }
        connection.requestFlush()
    }

    func sendBody(_ data: ByteBuffer) {
        guard let id, !closed, !requestEnded, data.readableBytes > 0 else { return }
        stats.upstreamCxTxBytesTotal.inc(worker: worker, by: UInt64(data.readableBytes))
        let nowBlocked = sendBuffer.wrote(data.readableBytes)
        connection.writeData(id, data, endStream: false)
        connection.requestFlush()
        // The codec reports what it sent from inside the write, which may have drained it again.
        if nowBlocked, !sendBuffer.isWritable { delegate?.upstreamWritabilityChanged(false) }
    }

    func sendEnd(_ trailers: HTTPHeaders?) {
        guard let id, !closed, !requestEnded else { return }
        requestEnded = true
        if let trailers, !trailers.isEmpty {
            let fields = HTTP2UpstreamHeaders.trailerFields(trailers)
            connection.writeHeaders(id, fields, endStream: true)
        } else {
            connection.writeData(id, ByteBuffer(), endStream: true)
        }
        connection.requestFlush()
    }

    func flush() { connection.requestFlush() }

    var isWritable: Bool { sendBuffer.isWritable }

    func setReadPaused(_ paused: Bool) {
        reads.paused = paused
        guard !paused, reads.isHolding else { return }
        while let payload = reads.next() { deliver(payload) }
        // What the held frames produced goes out now, as after a read.
        delegate?.upstreamReadComplete()
        if !reads.isHolding, closePending {
            closePending = false
            finishClose()
        }
    }

    /// RST_STREAM (CANCEL) unless the stream already ended both ways.
    func abort() {
        delegate = nil
        guard !closed else { return }
        if !(requestEnded && responseEnded) { stats.http2TxReset.inc(worker: worker) }
        cancel()
    }

    /// A stream nobody used: closed before it sent anything (no frame goes out).
    func giveBack() {
        delegate = nil
        guard !closed else { return }
        cancel()
    }

    /// Ends the stream from this side: RST_STREAM CANCEL once it was sent, otherwise it just
    /// gives its slot back.
    private func cancel() {
        guard let id, created else {
            closed(reason: nil)
            return
        }
        connection.writeReset(id, .cancel)
        connection.requestFlush()
    }

    // MARK: - the response (from the connection)

    /// The upstream's RST_STREAM (the close follows).
    func resetByPeer(_ code: HTTP2ErrorCode) {
        stats.http2RxReset.inc(worker: worker)
        resetReason = code == .refusedStream ? .remoteRefusedStreamReset : .remoteReset
    }

    func receive(_ input: HTTP2StreamInput) {
        if let input = reads.admit(input) { deliver(input) }
    }

    private func deliver(_ input: HTTP2StreamInput) {
        switch input {
        case .headers(let fields, let endStream):
            if !sawFinalHead {
                var length: Int?
                guard let head = HTTP2UpstreamHeaders.response(fields, contentLength: &length) else {
                    fail(.protocolError)
                    return
                }
                // Informational heads (100 Continue) are not the response.
                if head.status.code < 200 { return }
                sawFinalHead = true
                // A HEAD, 204 or 304 response's content-length describes no body here.
                if !headRequest, head.status.code != 204, head.status.code != 304 {
                    if endStream, let length, length > 0 {
                        fail(.protocolError)
                        return
                    }
                    declaredLength = length
                }
                if endStream {
                    responseEnded = true
                    let d = delegate
                    delegate = nil
                    d?.upstreamResponseHead(consume head, endStream: true)
                    if !requestEnded, !closed { cancel() }
                } else {
                    delegate?.upstreamResponseHead(consume head, endStream: false)
                }
            } else {
                guard let trailers = HTTP2UpstreamHeaders.trailers(fields),
                      declaredLength.map({ $0 == receivedLength }) ?? true else {
                    fail(.protocolError)
                    return
                }
                end(trailers)
            }
        case .data(let buffer, let endStream, let flowControlledLength):
            guard sawFinalHead else {
                fail(.protocolError)
                return
            }
            returnWindow(flowControlledLength, endStream: endStream)
            if let declared = declaredLength {
                receivedLength += buffer.readableBytes
                if receivedLength > declared || (endStream && receivedLength != declared) {
                    fail(.protocolError)
                    return
                }
            }
            if buffer.readableBytes > 0 {
                stats.upstreamCxRxBytesTotal.inc(worker: worker, by: UInt64(buffer.readableBytes))
                delegate?.upstreamResponseBody(buffer)
            }
            if endStream { end(nil) }
        }
    }

    /// Response bytes consumed: the upstream gets them back once half the stream window is used.
    private func returnWindow(_ bytes: Int, endStream: Bool) {
        guard !endStream, !closed, !responseEnded, let id else {
            window.reset()
            return
        }
        if let increment = window.consumed(bytes) {
            connection.writeWindowUpdate(id, increment)
            connection.requestFlush()
        }
    }

    /// The frames of this read are delivered: an HTTP/1.1 client gets what they produced now.
    func readComplete() {
        delegate?.upstreamReadComplete()
    }

    private func end(_ trailers: HTTPHeaders?) {
        guard !responseEnded else { return }
        responseEnded = true
        let d = delegate
        delegate = nil
        d?.upstreamResponseEnd(trailers)
        // The upstream answered before the request ended: the rest of the request is not wanted.
        if !requestEnded, !closed { cancel() }
    }

    private func fail(_ reason: UpstreamResetReason) {
        resetReason = reason
        if reason == .protocolError { stats.upstreamCxProtocolError.inc(worker: worker) }
        let d = delegate
        delegate = nil
        if !closed { cancel() }
        d?.upstreamReset(reason)
    }

    // MARK: - close and windows (from the connection)

    /// The codec closed the stream (`reason`: the RST_STREAM or GOAWAY code, if any), the
    /// connection went, or the stream was never sent.
    func closed(reason: HTTP2ErrorCode?) {
        guard !closed else { return }
        closed = true
        if resetReason == nil, let reason, reason != .noError {
            resetReason = reason == .refusedStream ? .remoteRefusedStreamReset : .remoteReset
        }
        if reads.isHolding, delegate != nil, connection.isOpen {
            // The response's last frames are still held for a paused reader.
            closePending = true
            return
        }
        reads.drop()
        finishClose()
    }

    private func finishClose() {
        if let d = delegate {
            delegate = nil
            // A stream the GOAWAY left unprocessed, whatever the codec said, may be sent again.
            let reason = connection.refusedByGoAway(id) ? .remoteRefusedStreamReset : (resetReason ?? .connectionTermination)
            d.upstreamReset(reason)
        }
        connection.streamClosed(self)
    }

    func sendWindowReported(_ window: Int) {
        if sendBuffer.windowReported(window) { delegate?.upstreamWritabilityChanged(true) }
    }
}
