internal import NIOHTTP2

extension HTTP2ServerConnection {
    /// NIOHTTP2's own protections, set to mean what Envoy's do where they overlap. The flood
    /// limits themselves are `HTTP2FloodHandler`'s; NIOHTTP2's copies are set no tighter so the
    /// handler (which sees each frame first) is the one that trips and counts Envoy's stat.
    static func applyFloodLimits(_ limits: HTTP2FloodLimits, to config: inout NIOHTTP2Handler.ConnectionConfiguration) {
        // One more than ours: NIOHTTP2 sees the frames up to the one that exceeded our limit
        // (and counts only DATA), so it never trips first.
        config.maximumSequentialEmptyDataFrames = limits.maxConsecutiveInboundFramesWithEmptyPayload + 1
        // Control frames NIOHTTP2 holds while the channel is not writable.
        config.maximumBufferedControlFrames = limits.maxOutboundControlFrames
        // NIOHTTP2 would also cap PING, SETTINGS and PRIORITY frames at 200 per 30 s. Envoy has
        // no such rate: a client that reads its ACKs may ping as it likes (gRPC's BDP probes do),
        // one that does not is caught by max_outbound_control_frames, and PRIORITY has its own
        // per-stream limit. A zero-length window keeps NIOHTTP2's counter at one entry, which
        // never reaches the maximum.
        config.controlFrameRateLimit.maximumCount = 16
        config.controlFrameRateLimit.windowLength = .nanoseconds(0)
    }

    /// Rapid reset (CVE-2023-44487): nghttp2, Envoy's downstream codec, allows a burst of 1000
    /// RST_STREAM frames refilled at 33 a second, then sends GOAWAY; NIOHTTP2's sliding window of
    /// 1000 in 30 s is the same budget (its GOAWAY says ENHANCE_YOUR_CALM where nghttp2's says
    /// INTERNAL_ERROR).
    static func applyResetLimits(to config: inout NIOHTTP2Handler.StreamConfiguration) {
        config.streamResetFrameRateLimit.maximumCount = 1000
        config.streamResetFrameRateLimit.windowLength = .seconds(30)
    }
}
