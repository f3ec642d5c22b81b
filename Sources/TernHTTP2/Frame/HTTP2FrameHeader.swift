package import NIOCore

/// The nine bytes before every HTTP/2 frame (RFC 9113 §4.1): payload length, type, flags and
/// stream identifier (the reserved bit cleared).
package struct HTTP2FrameHeader {
    package static let size = 9

    package var length: Int
    package var type: UInt8
    package var flags: UInt8
    package var streamID: UInt32

    package init(length: Int, type: UInt8, flags: UInt8, streamID: UInt32) {
        self.length = length
        self.type = type
        self.flags = flags
        self.streamID = streamID
    }

    /// Reads a header from the start of `buffer` without consuming it; nil while fewer than nine
    /// bytes are there.
    package static func peek(_ buffer: ByteBuffer) -> HTTP2FrameHeader? {
        guard buffer.readableBytes >= size else { return nil }
        return buffer.withUnsafeReadableBytes { p in
            HTTP2FrameHeader(
                length: Int(p[0]) << 16 | Int(p[1]) << 8 | Int(p[2]),
                type: p[3],
                flags: p[4],
                streamID: (UInt32(p[5]) << 24 | UInt32(p[6]) << 16 | UInt32(p[7]) << 8 | UInt32(p[8])) & 0x7FFF_FFFF)
        }
    }

    package func has(_ flag: UInt8) -> Bool { flags & flag != 0 }

    /// Appends the header to `buffer`.
    package func write(into buffer: inout ByteBuffer) {
        buffer.writeMultipleIntegers(UInt8(truncatingIfNeeded: length >> 16), UInt16(truncatingIfNeeded: length),
                                     type, flags, streamID)
    }
}

/// Frame type codes (RFC 9113 §6).
package enum HTTP2FrameType {
    package static let data: UInt8 = 0x0
    package static let headers: UInt8 = 0x1
    package static let priority: UInt8 = 0x2
    package static let rstStream: UInt8 = 0x3
    package static let settings: UInt8 = 0x4
    package static let pushPromise: UInt8 = 0x5
    package static let ping: UInt8 = 0x6
    package static let goAway: UInt8 = 0x7
    package static let windowUpdate: UInt8 = 0x8
    package static let continuation: UInt8 = 0x9
}

/// Frame flags (RFC 9113 §6); ACK and END_STREAM share a bit on different frame types.
package enum HTTP2FrameFlags {
    package static let endStream: UInt8 = 0x1
    package static let ack: UInt8 = 0x1
    package static let endHeaders: UInt8 = 0x4
    package static let padded: UInt8 = 0x8
    package static let priority: UInt8 = 0x20
}

/// The client connection preface (RFC 9113 §3.4).
package enum HTTP2Preface {
    package static let bytes: [UInt8] = Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8)
}
