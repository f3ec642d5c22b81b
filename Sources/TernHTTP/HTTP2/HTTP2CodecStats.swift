import TernCore

/// The downstream HTTP/2 codec's stats. Envoy roots these at `http2.` (not under the connection
/// manager's prefix: every HTTP/2 listener shares them), except the premature-reset counter,
/// which is the connection manager's own `http.<stat_prefix>.downstream_rq_too_many_premature_resets`.
public final class HTTP2CodecStats: Sendable {
    public let outboundFlood: Counter
    public let outboundControlFlood: Counter
    public let inboundEmptyFramesFlood: Counter
    public let inboundPriorityFramesFlood: Counter
    public let inboundWindowUpdateFramesFlood: Counter
    /// RST_STREAM frames received from clients.
    public let rxReset: Counter
    public let goawaySent: Counter
    public let downstreamRqTooManyPrematureResets: Counter

    public init(root: StatScope, statPrefix: String) {
        let s = root.scope("http2.")
        outboundFlood = s.counter("outbound_flood")
        outboundControlFlood = s.counter("outbound_control_flood")
        inboundEmptyFramesFlood = s.counter("inbound_empty_frames_flood")
        inboundPriorityFramesFlood = s.counter("inbound_priority_frames_flood")
        inboundWindowUpdateFramesFlood = s.counter("inbound_window_update_frames_flood")
        rxReset = s.counter("rx_reset")
        goawaySent = s.counter("goaway_sent")
        let hcm = root.scope("http.", tag: "envoy_http_conn_manager_prefix", value: statPrefix)
        downstreamRqTooManyPrematureResets = hcm.counter("downstream_rq_too_many_premature_resets")
    }
}
