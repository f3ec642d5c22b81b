// HTTP/2 frames as bytes, for tests that must send what no polite client would (floods, resets,
// endless CONTINUATION) and read back exactly which frames came (GOAWAY and its error code).

/// One HTTP/2 frame: built to be sent, or parsed from what a connection received.
public struct HTTP2RawFrame: Sendable, Equatable {
    public var type: UInt8
    public var flags: UInt8
    public var streamID: UInt32
    public var payload: [UInt8]

    public init(type: UInt8, flags: UInt8 = 0, streamID: UInt32 = 0, payload: [UInt8] = []) {
        self.type = type
        self.flags = flags
        self.streamID = streamID
        self.payload = payload
    }

    // Frame types and flags of RFC 9113 §6.
    public static let data: UInt8 = 0x0, headersType: UInt8 = 0x1, priorityType: UInt8 = 0x2
    public static let rstStreamType: UInt8 = 0x3, settingsType: UInt8 = 0x4, pingType: UInt8 = 0x6
    public static let goAwayType: UInt8 = 0x7, windowUpdateType: UInt8 = 0x8, continuationType: UInt8 = 0x9
    public static let endStream: UInt8 = 0x1, ack: UInt8 = 0x1, endHeaders: UInt8 = 0x4

    /// HTTP/2 error codes (RFC 9113 §7) the tests look for.
    public enum ErrorCode: UInt32, Sendable {
        case noError = 0x0, protocolError = 0x1, internalError = 0x2, flowControlError = 0x3
        case refusedStream = 0x7, cancel = 0x8, compressionError = 0x9, enhanceYourCalm = 0xB
    }

    /// The bytes on the wire.
    public var bytes: [UInt8] {
        let n = payload.count
        var out: [UInt8] = [UInt8(truncatingIfNeeded: n >> 16), UInt8(truncatingIfNeeded: n >> 8), UInt8(truncatingIfNeeded: n),
                            type, flags]
        out += Self.be32(streamID & 0x7FFF_FFFF)
        return out + payload
    }

    static func be32(_ v: UInt32) -> [UInt8] {
        [UInt8(truncatingIfNeeded: v >> 24), UInt8(truncatingIfNeeded: v >> 16), UInt8(truncatingIfNeeded: v >> 8), UInt8(truncatingIfNeeded: v)]
    }

    // MARK: - builders

    public static func settings(ack: Bool = false) -> HTTP2RawFrame {
        HTTP2RawFrame(type: settingsType, flags: ack ? Self.ack : 0)
    }

    public static func ping(_ data: UInt64 = 0x7465_726E_7465_726E) -> HTTP2RawFrame {
        HTTP2RawFrame(type: pingType, payload: (0..<8).map { UInt8(truncatingIfNeeded: data >> (56 - 8 * $0)) })
    }

    public static func headers(streamID: UInt32, block: [UInt8], endStream: Bool = true, endHeaders: Bool = true) -> HTTP2RawFrame {
        HTTP2RawFrame(type: headersType, flags: (endStream ? Self.endStream : 0) | (endHeaders ? Self.endHeaders : 0),
                      streamID: streamID, payload: block)
    }

    public static func continuation(streamID: UInt32, block: [UInt8], endHeaders: Bool) -> HTTP2RawFrame {
        HTTP2RawFrame(type: continuationType, flags: endHeaders ? Self.endHeaders : 0, streamID: streamID, payload: block)
    }

    public static func data(streamID: UInt32, _ bytes: [UInt8] = [], endStream: Bool = false) -> HTTP2RawFrame {
        HTTP2RawFrame(type: data, flags: endStream ? Self.endStream : 0, streamID: streamID, payload: bytes)
    }

    public static func rstStream(streamID: UInt32, _ code: ErrorCode = .cancel) -> HTTP2RawFrame {
        HTTP2RawFrame(type: rstStreamType, streamID: streamID, payload: be32(code.rawValue))
    }

    /// PRIORITY: `streamID` depends on stream 0 with weight 16.
    public static func priority(streamID: UInt32) -> HTTP2RawFrame {
        HTTP2RawFrame(type: priorityType, streamID: streamID, payload: [0, 0, 0, 0, 15])
    }

    public static func windowUpdate(streamID: UInt32 = 0, increment: UInt32 = 1) -> HTTP2RawFrame {
        HTTP2RawFrame(type: windowUpdateType, streamID: streamID, payload: be32(increment))
    }

    // MARK: - reading

    /// The complete frames in `bytes` (a trailing partial frame is left out).
    public static func parse(_ bytes: [UInt8]) -> [HTTP2RawFrame] {
        var frames: [HTTP2RawFrame] = []
        var i = 0
        while i + 9 <= bytes.count {
            let length = Int(bytes[i]) << 16 | Int(bytes[i + 1]) << 8 | Int(bytes[i + 2])
            guard i + 9 + length <= bytes.count else { break }
            let id = UInt32(bytes[i + 5]) << 24 | UInt32(bytes[i + 6]) << 16 | UInt32(bytes[i + 7]) << 8 | UInt32(bytes[i + 8])
            frames.append(HTTP2RawFrame(type: bytes[i + 3], flags: bytes[i + 4], streamID: id & 0x7FFF_FFFF,
                                        payload: Array(bytes[(i + 9)..<(i + 9 + length)])))
            i += 9 + length
        }
        return frames
    }

    /// For a GOAWAY: the last stream ID and the error code.
    public var goAway: (lastStreamID: UInt32, errorCode: UInt32)? {
        guard type == Self.goAwayType, payload.count >= 8 else { return nil }
        return (UInt32(payload[0]) << 24 | UInt32(payload[1]) << 16 | UInt32(payload[2]) << 8 | UInt32(payload[3]),
                UInt32(payload[4]) << 24 | UInt32(payload[5]) << 16 | UInt32(payload[6]) << 8 | UInt32(payload[7]))
    }

    /// For a RST_STREAM: the error code.
    public var rstStreamCode: UInt32? {
        guard type == Self.rstStreamType, payload.count == 4 else { return nil }
        return UInt32(payload[0]) << 24 | UInt32(payload[1]) << 16 | UInt32(payload[2]) << 8 | UInt32(payload[3])
    }

    /// For a response HEADERS frame whose block starts with an indexed `:status` (the static
    /// table's 200, 204, 206, 304, 400, 404, 500): that status.
    public var indexedStatus: Int? {
        guard type == Self.headersType, let first = payload.first else { return nil }
        let statuses: [UInt8: Int] = [0x88: 200, 0x89: 204, 0x8A: 206, 0x8B: 304, 0x8C: 400, 0x8D: 404, 0x8E: 500]
        return statuses[first]
    }
}
