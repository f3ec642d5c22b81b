import NIOCore
import NIOEmbedded
import NIOHPACK
import NIOHTTP2
import Testing

@testable import TernHTTP2

/// The codec on an embedded channel, driven with raw frames and read back frame by frame: the
/// protocol rules a conformance suite checks end to end, pinned here one by one.
@Suite("HTTP/2 codec")
struct HTTP2CodecTests {
    final class Recorder: HTTP2CodecDelegate {
        var headers: [(HTTP2StreamID, HTTP2Fields, Bool)] = []
        var data: [(HTTP2StreamID, ByteBuffer, Bool, Int)] = []
        var settings: [[HTTP2Setting]] = []
        var closed: [(HTTP2StreamID, HTTP2ErrorCode?)] = []
        var failures: [(HTTP2StreamID, HTTP2StreamFailure)] = []
        var windows: [(HTTP2StreamID, Int)] = []
        func http2Headers(_ id: HTTP2StreamID, _ fields: HTTP2Fields, endStream: Bool) { headers.append((id, fields, endStream)) }
        func http2Data(_ id: HTTP2StreamID, _ bytes: ByteBuffer, endStream: Bool, flowControlledLength: Int) {
            data.append((id, bytes, endStream, flowControlledLength))
        }
        func http2Reset(_ id: HTTP2StreamID, _ code: HTTP2ErrorCode) {}
        func http2Settings(_ settings: [HTTP2Setting]) { self.settings.append(settings) }
        func http2GoAway(lastStreamID: HTTP2StreamID, _ code: HTTP2ErrorCode) {}
        func http2StreamClosed(_ id: HTTP2StreamID, reason: HTTP2ErrorCode?) { closed.append((id, reason)) }
        func http2StreamFailed(_ id: HTTP2StreamID, _ failure: HTTP2StreamFailure) { failures.append((id, failure)) }
        func http2SendWindowChanged(_ id: HTTP2StreamID, window: Int) { windows.append((id, window)) }
        func http2InitialSendWindowChanged(by delta: Int) {}
        func http2ConnectionWindowConsumed(remaining window: Int) {}
    }

    struct RawFrame {
        var header: HTTP2FrameHeader
        var payload: [UInt8]
    }

    /// A codec on an active embedded channel; a server has read the preface and SETTINGS.
    static func make(_ role: HTTP2CodecConfiguration.Role = .server,
                     configure: (inout HTTP2CodecConfiguration) -> Void = { _ in }) throws -> (EmbeddedChannel, HTTP2Codec, Recorder) {
        var config = HTTP2CodecConfiguration(role: role)
        configure(&config)
        let codec = HTTP2Codec(configuration: config)
        let recorder = Recorder()
        codec.delegate = recorder
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(codec)
        try channel.connect(to: .init(ipAddress: "127.0.0.1", port: 1)).wait()
        var opening = role == .server ? HTTP2Preface.bytes : []
        opening += frame(type: HTTP2FrameType.settings, flags: 0, stream: 0, [])
        try channel.writeInbound(ByteBuffer(bytes: opening))
        return (channel, codec, recorder)
    }

    static func frame(type: UInt8, flags: UInt8, stream: UInt32, _ payload: [UInt8]) -> [UInt8] {
        var b = ByteBuffer()
        HTTP2FrameHeader(length: payload.count, type: type, flags: flags, streamID: stream).write(into: &b)
        b.writeBytes(payload)
        return Array(b.readableBytesView)
    }

    /// A request header block with literal fields (no indexing, no Huffman).
    static func requestBlock(method: String = "GET") -> [UInt8] {
        var out: [UInt8] = []
        for (name, value) in [(":method", method), (":scheme", "http"), (":path", "/"), (":authority", "a")] {
            out += [0x00, UInt8(name.utf8.count)] + Array(name.utf8) + [UInt8(value.utf8.count)] + Array(value.utf8)
        }
        return out
    }

    /// Every frame the codec wrote so far.
    static func written(_ channel: EmbeddedChannel) throws -> [RawFrame] {
        var all = ByteBuffer()
        while let chunk = try channel.readOutbound(as: IOData.self) {
            if case .byteBuffer(var b) = chunk { all.writeBuffer(&b) }
        }
        if all.readableBytesView.starts(with: HTTP2Preface.bytes) { all.moveReaderIndex(forwardBy: HTTP2Preface.bytes.count) }
        var frames: [RawFrame] = []
        while let header = HTTP2FrameHeader.peek(all) {
            all.moveReaderIndex(forwardBy: HTTP2FrameHeader.size)
            frames.append(RawFrame(header: header, payload: all.readBytes(length: header.length) ?? []))
        }
        return frames
    }

    static func flushed(_ channel: EmbeddedChannel) throws -> [RawFrame] {
        channel.embeddedEventLoop.run()
        return try written(channel)
    }

    @Test("a server sends its SETTINGS first, acknowledges the client's, and answers PING with the same bytes")
    func settingsAndPing() throws {
        let (channel, _, recorder) = try Self.make { $0.maxConcurrentStreams = 7 }
        let ping: [UInt8] = [1, 2, 3, 4, 5, 6, 7, 8]
        try channel.writeInbound(ByteBuffer(bytes: Self.frame(type: HTTP2FrameType.ping, flags: 0, stream: 0, ping)))
        let out = try Self.flushed(channel)
        #expect(out.map(\.header.type) == [HTTP2FrameType.settings, HTTP2FrameType.settings, HTTP2FrameType.ping])
        #expect(out[0].header.flags == 0 && out[0].payload == [0, 3, 0, 0, 0, 7])
        #expect(out[1].header.flags == HTTP2FrameFlags.ack && out[1].payload.isEmpty)
        #expect(out[2].header.flags == HTTP2FrameFlags.ack && out[2].payload == ping)
        #expect(recorder.settings.count == 1)  // the client's SETTINGS
    }

    @Test("DATA beyond the stream window waits, goes out in frames of at most the peer's frame size, and ends the stream last")
    func flowControl() throws {
        let (channel, codec, recorder) = try Self.make()
        // The client allows 10 bytes per stream.
        try channel.writeInbound(ByteBuffer(bytes: Self.frame(type: HTTP2FrameType.settings, flags: 0, stream: 0, [0, 4, 0, 0, 0, 10])))
        try channel.writeInbound(ByteBuffer(bytes: Self.frame(type: HTTP2FrameType.headers, flags: 0x5, stream: 1, Self.requestBlock())))
        _ = try Self.flushed(channel)
        codec.writeHeaders(1, [":status": "200"], endStream: false)
        codec.writeData(1, ByteBuffer(repeating: 0x61, count: 25), endStream: true)
        codec.flush()
        var out = try Self.written(channel)
        #expect(out.map(\.header.type) == [HTTP2FrameType.headers, HTTP2FrameType.data])
        #expect(out[1].payload.count == 10 && out[1].header.flags == 0)
        #expect(recorder.closed.isEmpty)
        // 20 more: 10 of the 15 left go out, in one frame; the stream stays open.
        try channel.writeInbound(ByteBuffer(bytes: Self.frame(type: HTTP2FrameType.windowUpdate, flags: 0, stream: 1, [0, 0, 0, 10])))
        out = try Self.flushed(channel)
        #expect(out.map(\.payload.count) == [10])
        try channel.writeInbound(ByteBuffer(bytes: Self.frame(type: HTTP2FrameType.windowUpdate, flags: 0, stream: 1, [0, 0, 0, 100])))
        out = try Self.flushed(channel)
        #expect(out.count == 1 && out[0].payload.count == 5 && out[0].header.flags == HTTP2FrameFlags.endStream)
        #expect(recorder.closed.map(\.0) == [1])
        // Windows reported after each send: what the owner counts its queue down with.
        #expect(recorder.windows.last?.1 == 95)
    }

    @Test("padded DATA: the owner gets the data without its padding, and the whole frame as flow-controlled length")
    func paddedData() throws {
        let (channel, _, recorder) = try Self.make()
        try channel.writeInbound(ByteBuffer(bytes: Self.frame(type: HTTP2FrameType.headers, flags: 0x4, stream: 1, Self.requestBlock(method: "POST"))))
        // Pad length 20, 5 bytes of data, 20 of padding: 26 bytes of payload.
        let payload: [UInt8] = [20] + Array("hello".utf8) + [UInt8](repeating: 0, count: 20)
        try channel.writeInbound(ByteBuffer(bytes: Self.frame(type: HTTP2FrameType.data, flags: HTTP2FrameFlags.padded, stream: 1, payload)))
        #expect(recorder.data.count == 1)
        #expect(recorder.data.first.map { String(buffer: $0.1) } == "hello")
        #expect(recorder.data.first?.3 == 26)
        // Padding longer than the frame: a connection error.
        _ = try? channel.writeInbound(ByteBuffer(bytes: Self.frame(type: HTTP2FrameType.data, flags: HTTP2FrameFlags.padded, stream: 1, [9, 1, 2])))
        #expect(!channel.isActive)
    }

    @Test("trailers without END_STREAM reset the stream with PROTOCOL_ERROR; the connection goes on")
    func trailersMustEndStream() throws {
        let (channel, _, recorder) = try Self.make()
        try channel.writeInbound(ByteBuffer(bytes: Self.frame(type: HTTP2FrameType.headers, flags: 0x4, stream: 1, Self.requestBlock(method: "POST"))))
        let trailer: [UInt8] = [0x00, 1, UInt8(ascii: "x"), 1, UInt8(ascii: "y")]
        try channel.writeInbound(ByteBuffer(bytes: Self.frame(type: HTTP2FrameType.headers, flags: 0x4, stream: 1, trailer)))
        let out = try Self.flushed(channel)
        let reset = out.first { $0.header.type == HTTP2FrameType.rstStream }
        #expect(reset?.header.streamID == 1 && reset?.payload == [0, 0, 0, 1])
        #expect(recorder.closed.first?.1 == .protocolError)
        #expect(channel.isActive)
    }

    @Test("a frame breaking a connection rule gets GOAWAY with its error, and the connection closes", arguments: [
        (HTTP2FrameType.data, UInt8(0), UInt32(3), [UInt8](repeating: 0, count: 4), HTTP2ErrorCode.protocolError),  // idle stream
        (HTTP2FrameType.ping, 0, 0, [1, 2, 3], .frameSizeError),
        (HTTP2FrameType.windowUpdate, 0, 0, [0, 0, 0, 0], .protocolError),
        (HTTP2FrameType.settings, 0, 0, [0, 4, 0x80, 0, 0, 0], .flowControlError),
        (HTTP2FrameType.continuation, 0x4, 1, [], .protocolError),
        (HTTP2FrameType.headers, 0x4, 2, requestBlock(), .protocolError),  // a client may not use even ids
        (HTTP2FrameType.headers, 0x4, 1, [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF], .compressionError),
    ])
    func connectionErrors(type: UInt8, flags: UInt8, stream: UInt32, payload: [UInt8], code: HTTP2ErrorCode) throws {
        let (channel, _, _) = try Self.make()
        _ = try Self.written(channel)
        try? channel.writeInbound(ByteBuffer(bytes: Self.frame(type: type, flags: flags, stream: stream, payload)))
        let out = try Self.flushed(channel)
        let goAway = out.first { $0.header.type == HTTP2FrameType.goAway }
        #expect(goAway.map { Array($0.payload[4..<8]) } == [0, 0, 0, UInt8(code.networkCode)])
        #expect(!channel.isActive)
    }

    @Test("a client's streams above a GOAWAY's last stream close as refused; a new one is refused before it is sent")
    func goAwayRefusesStreams() throws {
        let (channel, codec, recorder) = try Self.make(.client)
        for id in [1, 3, 5] {
            codec.writeHeaders(HTTP2StreamID(id), [":method": "GET"], endStream: false)
        }
        codec.flush()
        _ = try Self.written(channel)
        try channel.writeInbound(ByteBuffer(bytes: Self.frame(type: HTTP2FrameType.goAway, flags: 0, stream: 0, [0, 0, 0, 1, 0, 0, 0, 0])))
        #expect(recorder.closed.map(\.0).sorted() == [3, 5])
        #expect(recorder.closed.allSatisfy { $0.1 == .refusedStream })
        codec.writeHeaders(7, [":method": "GET"], endStream: false)
        #expect(recorder.failures.map(\.1) == [.createdAfterGoAway])
        codec.flush()
        #expect(try Self.written(channel).allSatisfy { $0.header.type != HTTP2FrameType.headers })
    }
}
