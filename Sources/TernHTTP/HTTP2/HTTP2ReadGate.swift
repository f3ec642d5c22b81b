import NIOCore
import TernHTTP2

/// One inbound frame of a stream as the codec delivered it.
enum HTTP2StreamInput {
    case headers(HTTP2Fields, endStream: Bool)
    /// DATA without padding; `flowControlledLength`: what it took of the windows.
    case data(ByteBuffer, endStream: Bool, flowControlledLength: Int)
}

/// One stream's inbound frames while its reader may be paused (request body flow control
/// downstream, response backpressure upstream): frames that arrive while paused, or while
/// earlier ones still wait, are held and come out in order once reading resumes. Holding them
/// also holds back their WINDOW_UPDATE, which their stream sends only as it delivers them.
struct HTTP2ReadGate {
    var paused = false
    private var held: [HTTP2StreamInput] = []

    /// Frames are waiting.
    var isHolding: Bool { !held.isEmpty }

    /// `input` to deliver now, or nil when it was held.
    mutating func admit(_ input: HTTP2StreamInput) -> HTTP2StreamInput? {
        if paused || !held.isEmpty {
            held.append(input)
            return nil
        }
        return input
    }

    /// The next held frame to deliver, while not paused (delivering one may pause again).
    mutating func next() -> HTTP2StreamInput? {
        guard !paused, !held.isEmpty else { return nil }
        return held.removeFirst()
    }

    /// The frames are not wanted any more (the stream ended).
    mutating func drop() { held.removeAll() }
}
