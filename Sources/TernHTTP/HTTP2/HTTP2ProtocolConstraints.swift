/// Envoy's HTTP/2 flood checks as a value (Envoy's `ProtocolConstraints`): counts what the client
/// sends and what Tern has queued for it, and names the first limit exceeded. The handler that
/// owns it acts on the answer; this type only counts.
struct HTTP2ProtocolConstraints {
    /// Which limit a connection exceeded; each has an Envoy stat.
    enum Violation: Equatable {
        case outboundFrames, outboundControlFrames
        case inboundEmptyFrames, inboundPriorityFrames, inboundWindowUpdateFrames
    }

    typealias Frame = HTTP2FrameScanner.FrameHeader

    let limits: HTTP2FloodLimits
    /// Frames written to the channel and not yet taken by the socket.
    private(set) var outboundFrames = 0
    private(set) var outboundControlFrames = 0
    private(set) var outboundDataFrames = 0
    private(set) var consecutiveEmptyFrames = 0
    private(set) var inboundStreams = 0
    private(set) var inboundPriorityFrames = 0
    private(set) var inboundWindowUpdateFrames = 0

    init(limits: HTTP2FloodLimits) {
        self.limits = limits
    }

    // MARK: - inbound

    /// Counts one frame from the client and checks the inbound limits.
    mutating func trackInbound(_ frame: Frame) -> Violation? {
        switch frame.type {
        case Frame.headers, Frame.continuation, Frame.data:
            // Envoy counts a stream per END_HEADERS (trailers included).
            if frame.type != Frame.data, frame.flags & Frame.endHeaders != 0 { inboundStreams += 1 }
            if frame.length - frame.padding == 0 && !frame.isEndStream {
                consecutiveEmptyFrames += 1
            } else {
                consecutiveEmptyFrames = 0
            }
        case Frame.priority:
            inboundPriorityFrames += 1
        case Frame.windowUpdate:
            inboundWindowUpdateFrames += 1
        default:
            break
        }
        if consecutiveEmptyFrames > limits.maxConsecutiveInboundFramesWithEmptyPayload { return .inboundEmptyFrames }
        if inboundPriorityFrames > limits.maxInboundPriorityFramesPerStream * (1 + inboundStreams) { return .inboundPriorityFrames }
        if inboundWindowUpdateFrames > 1 + 2 * (inboundStreams + limits.maxInboundWindowUpdateFramesPerDataFrameSent * outboundDataFrames) {
            return .inboundWindowUpdateFrames
        }
        return nil
    }

    // MARK: - outbound

    /// Whether Envoy counts a frame against `max_outbound_control_frames`.
    static func isControl(_ frame: Frame) -> Bool {
        switch frame.type {
        case Frame.ping, Frame.settings: frame.flags & Frame.ack != 0
        case Frame.rstStream: true
        default: false
        }
    }

    /// Counts one frame queued for the client.
    mutating func queued(_ frame: Frame) {
        outboundFrames += 1
        if Self.isControl(frame) { outboundControlFrames += 1 }
    }

    /// Notes a frame on its way to the socket: DATA frames sent allow the client more WINDOW_UPDATEs.
    mutating func sent(_ frame: Frame) {
        if frame.type == Frame.data { outboundDataFrames += 1 }
    }

    /// The socket took frames counted by `queued`.
    mutating func released(frames: Int, controlFrames: Int) {
        outboundFrames -= frames
        outboundControlFrames -= controlFrames
    }

    /// Checks the outbound limits (after frames were queued).
    func checkOutbound() -> Violation? {
        if outboundFrames > limits.maxOutboundFrames { return .outboundFrames }
        if outboundControlFrames > limits.maxOutboundControlFrames { return .outboundControlFrames }
        return nil
    }
}
