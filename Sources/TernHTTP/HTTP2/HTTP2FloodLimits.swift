/// Envoy's HTTP/2 flood limits (`http2_protocol_options`), compiled with Envoy's defaults. The
/// inbound ones are checked by `HTTP2ProtocolConstraints` on every frame header the client sends,
/// the outbound ones against the frames Tern has written but the socket has not yet taken.
public struct HTTP2FloodLimits: Sendable, Hashable {
    /// `max_outbound_frames`: frames of any type queued for the client.
    public var maxOutboundFrames = 10_000
    /// `max_outbound_control_frames`: queued PING ACK, SETTINGS ACK and RST_STREAM frames.
    public var maxOutboundControlFrames = 1_000
    /// `max_consecutive_inbound_frames_with_empty_payload`: HEADERS, CONTINUATION or DATA frames
    /// in a row without payload and without END_STREAM.
    public var maxConsecutiveInboundFramesWithEmptyPayload = 1
    /// `max_inbound_priority_frames_per_stream`: PRIORITY frames allowed per client stream
    /// (times one more than the streams opened).
    public var maxInboundPriorityFramesPerStream = 100
    /// `max_inbound_window_update_frames_per_data_frame_sent`: WINDOW_UPDATE frames allowed per
    /// DATA frame Tern sent (Envoy's formula adds the streams opened and a small allowance).
    public var maxInboundWindowUpdateFramesPerDataFrameSent = 10

    public init() {}
}
