import NIOCore

/// Finds HTTP/2 frame headers in a byte stream that arrives (or leaves) in arbitrary pieces,
/// without copying it: the flood limits need each frame's type, flags, length and padding before
/// the codec parses it, and the count of frames written. A pure value, one per direction.
struct HTTP2FrameScanner {
    /// One frame's 9-byte header, plus the padding (the pad-length byte included, as nghttp2
    /// counts it) of a padded DATA or HEADERS frame.
    struct FrameHeader: Equatable {
        var length: Int
        var type: UInt8
        var flags: UInt8
        var streamID: UInt32
        var padding = 0
        /// Where the frame's payload ends, as an offset into the bytes that completed its header
        /// (it may lie beyond them).
        var end = 0

        static let data: UInt8 = 0x0, headers: UInt8 = 0x1, priority: UInt8 = 0x2, rstStream: UInt8 = 0x3
        static let settings: UInt8 = 0x4, ping: UInt8 = 0x6, goAway: UInt8 = 0x7, windowUpdate: UInt8 = 0x8
        static let continuation: UInt8 = 0x9
        static let endStream: UInt8 = 0x1, ack: UInt8 = 0x1, endHeaders: UInt8 = 0x4, padded: UInt8 = 0x8

        var isEndStream: Bool { (type == Self.data || type == Self.headers) && flags & Self.endStream != 0 }
    }

    /// Bytes of the client preface still to skip (inbound only: the codec checks it).
    private var prefaceLeft: Int
    /// Payload bytes of the current frame still to skip.
    private var remaining = 0
    /// Header bytes gathered so far: the first five (length, type, flags) and the stream ID.
    private var lengthTypeFlags: UInt64 = 0
    private var streamID: UInt32 = 0
    private var gathered = 0
    /// A padded frame whose pad-length byte (the first of its payload) has not arrived yet.
    private var awaitingPadLength: FrameHeader?

    init(skippingPreface: Bool) {
        prefaceLeft = skippingPreface ? 24 : 0
    }

    /// Calls `onFrame` for every frame header completed by `bytes`; stops early (returning
    /// false) when `onFrame` does.
    mutating func scan(_ bytes: ByteBuffer, _ onFrame: (FrameHeader) -> Bool) -> Bool {
        bytes.withUnsafeReadableBytes { raw in
            var i = 0
            let n = raw.count
            while i < n {
                if prefaceLeft > 0 {
                    let k = min(prefaceLeft, n - i)
                    prefaceLeft -= k
                    i += k
                } else if var header = awaitingPadLength {
                    header.padding = Int(raw[i]) + 1
                    awaitingPadLength = nil
                    remaining -= 1
                    i += 1
                    header.end = i + remaining
                    if !onFrame(header) { return false }
                } else if remaining > 0 {
                    let k = min(remaining, n - i)
                    remaining -= k
                    i += k
                } else {
                    if gathered < 5 {
                        lengthTypeFlags = lengthTypeFlags << 8 | UInt64(raw[i])
                    } else {
                        streamID = streamID << 8 | UInt32(raw[i])
                    }
                    gathered += 1
                    i += 1
                    if gathered == 9, !completeHeader(at: i, onFrame) { return false }
                }
            }
            return true
        }
    }

    private mutating func completeHeader(at position: Int, _ onFrame: (FrameHeader) -> Bool) -> Bool {
        let length = Int(lengthTypeFlags >> 16)
        let header = FrameHeader(length: length, type: UInt8(truncatingIfNeeded: lengthTypeFlags >> 8),
                                 flags: UInt8(truncatingIfNeeded: lengthTypeFlags), streamID: streamID & 0x7FFF_FFFF,
                                 end: position + length)
        gathered = 0
        lengthTypeFlags = 0
        streamID = 0
        remaining = header.length
        let padded = (header.type == FrameHeader.data || header.type == FrameHeader.headers) && header.flags & FrameHeader.padded != 0
        if padded, header.length > 0 {
            awaitingPadLength = header
            return true
        }
        return onFrame(header)
    }
}
