/// How one `HTTP2Codec` speaks: its side of the connection and the SETTINGS it sends (and
/// holds the peer to).
package struct HTTP2CodecConfiguration: Sendable {
    package enum Role: Sendable { case server, client }

    package var role: Role
    /// SETTINGS_MAX_CONCURRENT_STREAMS: streams the peer may open (a server's limit); beyond it
    /// new streams are refused with REFUSED_STREAM. nil: not sent, unlimited.
    package var maxConcurrentStreams: Int?
    /// SETTINGS_INITIAL_WINDOW_SIZE: each stream's receive window.
    package var initialWindowSize: Int = 65_535
    /// SETTINGS_MAX_HEADER_LIST_SIZE: a header block that decodes larger is a connection error
    /// (the whole block is still decoded, so no one pays for it twice). nil: not sent, 1 MiB.
    package var maxHeaderListSize: Int?
    /// Sends SETTINGS_ENABLE_PUSH 0 (a client; push is never accepted either way).
    package var disablePush = false
    /// CONTINUATION frames one header block may take before the connection is closed with
    /// ENHANCE_YOUR_CALM: a block that never ends holds memory and decoding.
    package var maxContinuationFrames = 16
    /// RST_STREAM frames the peer may send within `resetWindowSeconds` before GOAWAY
    /// ENHANCE_YOUR_CALM (rapid reset, CVE-2023-44487). nil: no limit.
    package var maxResetFrames: Int? = nil
    package var resetWindowSeconds: Int64 = 30

    package init(role: Role) { self.role = role }

    /// The header list limit in force.
    var headerListLimit: Int { maxHeaderListSize ?? 1 << 20 }
}
