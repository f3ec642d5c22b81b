/// How much of one HTTP/2 stream's body the codec holds unsent, and so whether the stream may
/// take more: the body bytes written, less those the codec sent, which it reports as the stream's
/// send window shrinking. The codec holds DATA while a window (the stream's or the connection's)
/// is closed, so one count covers both, with no promise per frame.
/// Above 64 KiB queued the stream is not writable until it is down to 32 KiB, as NIOHTTP2's
/// stream channels did (and as a socket's watermarks do for HTTP/1.1).
struct HTTP2StreamSendBuffer {
    static let highWatermark = 65_536
    static let lowWatermark = 32_768

    private(set) var queued = 0
    private(set) var blocked = false
    /// The stream's send window as the codec last reported it.
    private(set) var window: Int

    init(window: Int) { self.window = window }

    var isWritable: Bool { !blocked }

    /// `bytes` of DATA were handed to the codec. True when this made the stream unwritable.
    mutating func wrote(_ bytes: Int) -> Bool {
        queued += bytes
        guard !blocked, queued >= Self.highWatermark else { return false }
        blocked = true
        return true
    }

    /// The codec reported the stream's send window: a smaller one means DATA went out. True when
    /// this made the stream writable again.
    mutating func windowReported(_ newWindow: Int) -> Bool {
        if newWindow < window { queued = max(0, queued - (window - newWindow)) }
        window = newWindow
        return unblockIfDrained()
    }

    /// The peer changed SETTINGS_INITIAL_WINDOW_SIZE: every stream's window moved by `delta`
    /// without anything being sent.
    mutating func windowShifted(by delta: Int) { window += delta }

    /// The window the stream was created with (the codec's view when the stream opened).
    mutating func windowCreated(_ initial: Int) { window = initial }

    private mutating func unblockIfDrained() -> Bool {
        guard blocked, queued <= Self.lowWatermark else { return false }
        blocked = false
        return true
    }
}
