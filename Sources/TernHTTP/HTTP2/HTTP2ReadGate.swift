internal import NIOHTTP2

/// One stream's inbound frames while its reader may be paused (request body flow control
/// downstream, response backpressure upstream): frames that arrive while paused, or while
/// earlier ones still wait, are held and come out in order once reading resumes. Holding them
/// also holds back their WINDOW_UPDATE, which their stream sends only as it delivers them.
struct HTTP2ReadGate {
    var paused = false
    private var held: [HTTP2Frame.FramePayload] = []

    /// Frames are waiting.
    var isHolding: Bool { !held.isEmpty }

    /// `payload` to deliver now, or nil when it was held.
    mutating func admit(_ payload: HTTP2Frame.FramePayload) -> HTTP2Frame.FramePayload? {
        if paused || !held.isEmpty {
            held.append(payload)
            return nil
        }
        return payload
    }

    /// The next held frame to deliver, while not paused (delivering one may pause again).
    mutating func next() -> HTTP2Frame.FramePayload? {
        guard !paused, !held.isEmpty else { return nil }
        return held.removeFirst()
    }

    /// The frames are not wanted any more (the stream ended).
    mutating func drop() { held.removeAll() }
}
