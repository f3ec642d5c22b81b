package import NIOCore
package import NIOHTTP2

/// What an HTTP/2 connection's owner hears from its `HTTP2Codec`: the frames for its streams and
/// the connection that passed the protocol checks, and the protocol events that concern them.
/// Calls come on the connection's event loop, directly: no pipeline hop, and no frame value
/// built (NIOHTTP2's frame type boxes every DATA payload).
package protocol HTTP2CodecDelegate: AnyObject {
    /// A whole header block, decoded (HEADERS and its CONTINUATIONs).
    func http2Headers(_ id: HTTP2StreamID, _ fields: HTTP2Fields, endStream: Bool)

    /// DATA, without its padding; `flowControlledLength` is what it took of the windows.
    func http2Data(_ id: HTTP2StreamID, _ data: ByteBuffer, endStream: Bool, flowControlledLength: Int)

    /// The peer's RST_STREAM (`http2StreamClosed` follows).
    func http2Reset(_ id: HTTP2StreamID, _ code: HTTP2ErrorCode)

    /// The peer's SETTINGS (not an ACK), already applied and acknowledged.
    func http2Settings(_ settings: [HTTP2Setting])

    /// The peer's GOAWAY.
    func http2GoAway(lastStreamID: HTTP2StreamID, _ code: HTTP2ErrorCode)

    /// A stream closed: both sides ended it (`reason` nil), a RST_STREAM went either way (its
    /// code), or a GOAWAY from the peer left it unprocessed (`refusedStream`).
    func http2StreamClosed(_ id: HTTP2StreamID, reason: HTTP2ErrorCode?)

    /// The codec reset a stream for a protocol error of the peer's (RST_STREAM `code` is
    /// on its way; `http2StreamClosed` follows), or a frame written for it could not be sent.
    func http2StreamFailed(_ id: HTTP2StreamID, _ failure: HTTP2StreamFailure)

    /// A stream's send window changed: DATA went out (smaller), or a WINDOW_UPDATE came (larger).
    func http2SendWindowChanged(_ id: HTTP2StreamID, window: Int)

    /// The peer's SETTINGS_INITIAL_WINDOW_SIZE moved every open stream's send window by `delta`.
    func http2InitialSendWindowChanged(by delta: Int)

    /// DATA consumed the connection's receive window, which now stands at `window`; the owner
    /// sends the connection WINDOW_UPDATE.
    func http2ConnectionWindowConsumed(remaining window: Int)
}

/// Why the codec ended a stream on its own, or refused a frame written for it.
package enum HTTP2StreamFailure: Error, Equatable {
    /// The peer broke the protocol on this stream; the codec sent RST_STREAM with this code.
    case protocolViolation(HTTP2ErrorCode)
    /// A frame was written for a stream already closed (`code`: the reset that closed it, if any).
    case streamClosed(HTTP2ErrorCode?)
    /// A new stream was written after the peer's GOAWAY: it was never sent.
    case createdAfterGoAway
}

/// A connection error (RFC 9113 §5.4.1): the codec sent GOAWAY with `code` and closes the
/// connection. Reaches the pipeline through `errorCaught`.
package struct HTTP2ConnectionError: Error, Equatable {
    package let code: HTTP2ErrorCode
    package let reason: String
    package init(_ code: HTTP2ErrorCode, _ reason: String) {
        self.code = code
        self.reason = reason
    }
}
