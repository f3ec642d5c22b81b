/// When Tern gives an HTTP/2 peer its flow-control window back (the codec keeps the windows'
/// accounting; the WINDOW_UPDATEs are the connection's and its streams' to send). The rule is
/// NIOHTTP2's window manager's: once at most half of the target is left, top it up.
struct HTTP2InboundWindow {
    /// The window the peer should have: SETTINGS_INITIAL_WINDOW_SIZE for a stream, the
    /// configured `initial_connection_window_size` for the connection.
    let target: Int
    /// Bytes consumed and not yet given back.
    private var unacknowledged = 0

    init(target: Int) { self.target = target }

    /// `bytes` of DATA (padding included) were consumed; returns the increment to send, if due.
    mutating func consumed(_ bytes: Int) -> Int? {
        unacknowledged += bytes
        guard unacknowledged * 2 >= target, unacknowledged > 0 else { return nil }
        defer { unacknowledged = 0 }
        return unacknowledged
    }

    /// The peer will send no more on this window.
    mutating func reset() { unacknowledged = 0 }

    /// For the connection, from the codec's view of the window the peer has left: the increment
    /// that tops it up to the target, once it is at most half of it.
    func increment(forRemaining window: Int) -> Int? {
        guard window < target else { return nil }
        let increment = min(target - window, Int(Int32.max))
        return increment >= window ? increment : nil
    }

    /// The first WINDOW_UPDATE of a connection: every HTTP/2 connection starts at 65535.
    var initialIncrement: Int? { target > 65_535 ? target - 65_535 : nil }
}
