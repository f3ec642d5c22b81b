import TernHTTP2

extension HTTP2ServerConnection {
    /// Rapid reset (CVE-2023-44487): nghttp2, Envoy's downstream codec, allows a burst of 1000
    /// RST_STREAM frames refilled at 33 a second, then sends GOAWAY; the codec's budget is the
    /// same (its GOAWAY says ENHANCE_YOUR_CALM where nghttp2's says INTERNAL_ERROR).
    static func applyResetLimits(to config: inout HTTP2CodecConfiguration) {
        config.maxResetFrames = 1000
        config.resetWindowSeconds = 30
    }
}
