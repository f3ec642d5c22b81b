import NIOCore
import SwiftProtobuf
import Testing
@testable import TernConfig
@testable import TernHTTP

/// Envoy's HTTP/2 flood limits as values: the compiled options, the frame-header scanner on bytes
/// split anywhere, and the constraints' arithmetic (Envoy's `ProtocolConstraints`).
@Suite struct HTTP2FloodLimitsTests {
    typealias Frame = HTTP2FrameScanner.FrameHeader

    // MARK: - config

    func uint32(_ v: UInt32) -> Google_Protobuf_UInt32Value {
        var w = Google_Protobuf_UInt32Value()
        w.value = v
        return w
    }

    @Test func defaultsAreEnvoys() throws {
        let limits = try HTTP2FloodLimitsCompiler.compile(.init(), path: "p")
        #expect(limits.maxOutboundFrames == 10_000)
        #expect(limits.maxOutboundControlFrames == 1_000)
        #expect(limits.maxConsecutiveInboundFramesWithEmptyPayload == 1)
        #expect(limits.maxInboundPriorityFramesPerStream == 100)
        #expect(limits.maxInboundWindowUpdateFramesPerDataFrameSent == 10)
    }

    @Test func valuesAreTakenAndZeroIsRefusedWhereEnvoyRefusesIt() throws {
        var p = Envoy_Config_Core_V3_Http2ProtocolOptions()
        p.maxOutboundFrames = uint32(5)
        p.maxConsecutiveInboundFramesWithEmptyPayload = uint32(0)
        let limits = try HTTP2FloodLimitsCompiler.compile(p, path: "p")
        #expect(limits.maxOutboundFrames == 5)
        #expect(limits.maxConsecutiveInboundFramesWithEmptyPayload == 0)
        p.maxOutboundControlFrames = uint32(0)
        #expect { try HTTP2FloodLimitsCompiler.compile(p, path: "p") } throws: {
            ($0 as? CompileError)?.path == "p.max_outbound_control_frames"
        }
    }

    // MARK: - scanner

    static func bytes(length: Int, type: UInt8, flags: UInt8 = 0, stream: UInt32 = 0, payload: [UInt8]? = nil) -> [UInt8] {
        [UInt8(length >> 16 & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length & 0xFF), type, flags,
         UInt8(stream >> 24), UInt8(stream >> 16 & 0xFF), UInt8(stream >> 8 & 0xFF), UInt8(stream & 0xFF)]
            + (payload ?? [UInt8](repeating: 0xAA, count: length))
    }

    static func scanAll(_ chunks: [[UInt8]], preface: Bool) -> [Frame] {
        var scanner = HTTP2FrameScanner(skippingPreface: preface)
        var frames: [Frame] = []
        for chunk in chunks {
            _ = scanner.scan(ByteBuffer(bytes: chunk)) { frames.append($0); return true }
        }
        return frames
    }

    @Test func findsFramesHowEverTheBytesAreSplit() {
        let preface = Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8)
        // SETTINGS, HEADERS with 5 bytes, a padded DATA (pad length 3: 2 data + 3 pad), PING.
        let stream = preface + Self.bytes(length: 0, type: 4) + Self.bytes(length: 5, type: 1, flags: 0x4, stream: 1)
            + Self.bytes(length: 6, type: 0, flags: 0x9, stream: 1, payload: [3, 1, 2, 0, 0, 0])
            + Self.bytes(length: 8, type: 6)
        let whole = Self.scanAll([stream], preface: true)
        #expect(whole.map(\.type) == [4, 1, 0, 6])
        #expect(whole[1].streamID == 1 && whole[1].length == 5)
        #expect(whole[2].padding == 4 && whole[2].isEndStream)
        for cut in 1..<stream.count {
            let split = Self.scanAll([Array(stream[..<cut]), Array(stream[cut...])], preface: true)
            #expect(split.map { [$0.type, $0.flags] } == whole.map { [$0.type, $0.flags] }, "cut at \(cut)")
            #expect(split.map(\.padding) == whole.map(\.padding), "cut at \(cut)")
        }
        let byteByByte = Self.scanAll(stream.map { [$0] }, preface: true)
        #expect(byteByByte.map(\.length) == whole.map(\.length))
    }

    // MARK: - constraints

    static func frame(_ type: UInt8, flags: UInt8 = 0, length: Int = 0, padding: Int = 0) -> Frame {
        Frame(length: length, type: type, flags: flags, streamID: 1, padding: padding)
    }

    @Test func emptyFramesCountUntilOneCarriesPayloadOrEndsTheStream() {
        var c = HTTP2ProtocolConstraints(limits: HTTP2FloodLimits())
        #expect(c.trackInbound(Self.frame(Frame.data)) == nil)
        #expect(c.trackInbound(Self.frame(Frame.data, length: 4)) == nil)  // resets the count
        #expect(c.trackInbound(Self.frame(Frame.data)) == nil)
        #expect(c.trackInbound(Self.frame(Frame.data, flags: Frame.endStream)) == nil)  // END_STREAM: not counted
        #expect(c.trackInbound(Self.frame(Frame.continuation)) == nil)
        // Only padding is no payload either.
        #expect(c.trackInbound(Self.frame(Frame.data, flags: Frame.padded, length: 3, padding: 3)) == .inboundEmptyFrames)
    }

    @Test func priorityFramesAreAllowedPerStreamOpened() {
        var c = HTTP2ProtocolConstraints(limits: HTTP2FloodLimits())
        for _ in 0..<100 { #expect(c.trackInbound(Self.frame(Frame.priority, length: 5)) == nil) }
        #expect(c.trackInbound(Self.frame(Frame.headers, flags: Frame.endHeaders, length: 3)) == nil)
        for _ in 0..<100 { #expect(c.trackInbound(Self.frame(Frame.priority, length: 5)) == nil) }
        #expect(c.trackInbound(Self.frame(Frame.priority, length: 5)) == .inboundPriorityFrames)
    }

    @Test func windowUpdatesAreAllowedPerStreamAndPerDataFrameSent() {
        var c = HTTP2ProtocolConstraints(limits: HTTP2FloodLimits())
        #expect(c.trackInbound(Self.frame(Frame.windowUpdate, length: 4)) == nil)
        #expect(c.trackInbound(Self.frame(Frame.windowUpdate, length: 4)) == .inboundWindowUpdateFrames)
        var d = HTTP2ProtocolConstraints(limits: HTTP2FloodLimits())
        d.sent(Self.frame(Frame.data, length: 10))  // 1 + 2 × (0 + 10 × 1) = 21 allowed
        for _ in 0..<21 { #expect(d.trackInbound(Self.frame(Frame.windowUpdate, length: 4)) == nil) }
        #expect(d.trackInbound(Self.frame(Frame.windowUpdate, length: 4)) == .inboundWindowUpdateFrames)
    }

    @Test func outboundFramesAreCountedUntilReleased() {
        var limits = HTTP2FloodLimits()
        limits.maxOutboundFrames = 3
        limits.maxOutboundControlFrames = 1
        var c = HTTP2ProtocolConstraints(limits: limits)
        let pingAck = Self.frame(Frame.ping, flags: Frame.ack, length: 8)
        #expect(HTTP2ProtocolConstraints.isControl(pingAck))
        #expect(!HTTP2ProtocolConstraints.isControl(Self.frame(Frame.ping, length: 8)))  // our own PING is not
        c.queued(pingAck)
        #expect(c.checkOutbound() == nil)
        c.queued(pingAck)
        #expect(c.checkOutbound() == .outboundControlFrames)
        c.released(frames: 2, controlFrames: 2)
        let data = Self.frame(Frame.data, length: 100)
        c.queued(data)
        c.queued(data)
        c.queued(data)
        #expect(c.checkOutbound() == nil)
        c.queued(data)
        #expect(c.checkOutbound() == .outboundFrames)
    }
}
