package import NIOHTTP2

/// What an HTTP/2 connection's owner hears from its `HTTP2Codec`: the frames for its streams and
/// the connection, and the protocol events that concern them. Calls come on the connection's
/// event loop, directly (no pipeline hop, no boxing of frames or events).
package protocol HTTP2CodecDelegate: AnyObject {
    /// A frame that passed the protocol checks: HEADERS (a whole header block, decoded), DATA,
    /// RST_STREAM, WINDOW_UPDATE for a stream, and SETTINGS (not ACKs) and GOAWAY for stream 0.
    func http2Received(_ frame: HTTP2Frame)

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
