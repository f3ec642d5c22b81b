internal import NIOCore
internal import NIOHPACK

/// The codec's view of one open stream (RFC 9113 §5.1): which sides may still send, both
/// flow-control windows, and the frames written for it that wait for send window.
final class HTTP2StreamState {
    let id: UInt32
    /// This side has not ended the stream (no END_STREAM or RST_STREAM sent).
    var localOpen = true
    /// The peer has not ended the stream.
    var remoteOpen = true
    /// What this side may still send, and what the peer may.
    var sendWindow: Int
    var receiveWindow: Int
    /// The peer's HEADERS opened the stream (a response's 1xx heads may precede the final one).
    var receivedHeaders = false
    /// Frames waiting for send window, in order (a trailing HEADERS waits behind DATA).
    var queue: [Pending] = []
    var queueHead = 0
    /// The stream is in the codec's list of streams waiting for connection window.
    var waitingForConnectionWindow = false

    enum Pending {
        case data(ByteBuffer, endStream: Bool, promise: EventLoopPromise<Void>?)
        case headers(HPACKHeaders, endStream: Bool, promise: EventLoopPromise<Void>?)
    }

    init(id: UInt32, sendWindow: Int, receiveWindow: Int) {
        self.id = id
        self.sendWindow = sendWindow
        self.receiveWindow = receiveWindow
    }

    var hasQueue: Bool { queueHead < queue.count }

    /// Drops what is queued, failing the promises (the stream was reset).
    func dropQueue(_ error: any Error) {
        while queueHead < queue.count {
            switch queue[queueHead] {
            case .data(_, _, let promise), .headers(_, _, let promise): promise?.fail(error)
            }
            queueHead += 1
        }
        queue.removeAll()
        queueHead = 0
    }
}

/// Streams recently closed, remembered so a frame for one can be told from a frame for a stream
/// never opened (RFC 9113 §5.1: STREAM_CLOSED versus PROTOCOL_ERROR), and so frames still in
/// flight for a stream this side reset are ignored (§5.4.2). A fixed ring: old entries go.
struct HTTP2ClosedStreams {
    enum How { case ended, resetByPeer, resetLocally }
    private var ids: [UInt32]
    private var hows: [How]
    private var next = 0

    init(capacity: Int = 256) {
        ids = Array(repeating: 0, count: capacity)
        hows = Array(repeating: .ended, count: capacity)
    }

    mutating func add(_ id: UInt32, _ how: How) {
        ids[next] = id
        hows[next] = how
        next = (next + 1) % ids.count
    }

    func lookup(_ id: UInt32) -> How? {
        // Newest first: an id is only ever added once.
        var i = next
        for _ in 0..<ids.count {
            i = i == 0 ? ids.count - 1 : i - 1
            if ids[i] == id { return hows[i] }
            if ids[i] == 0 { return nil }
        }
        return nil
    }
}
