import NIOCore
import NIOHPACK
import NIOHTTP1
import NIOHTTP2
import Testing
@testable import TernHTTP

/// The pure values behind Tern's frame-level HTTP/2 flow control: when a WINDOW_UPDATE is due,
/// when a stream stops and resumes taking body bytes, and how a response head becomes HEADERS.
@Suite struct HTTP2FlowControlValuesTests {
    // MARK: - HTTP2InboundWindow

    @Test func noIncrementBelowHalfTheTarget() {
        var window = HTTP2InboundWindow(target: 100)
        #expect(window.consumed(10) == nil)
        #expect(window.consumed(39) == nil)
        #expect(window.consumed(0) == nil)
    }

    @Test func incrementIsEverythingConsumedOnceHalfIsReached() {
        var window = HTTP2InboundWindow(target: 100)
        #expect(window.consumed(49) == nil)
        // Exactly half: everything consumed so far goes back at once.
        #expect(window.consumed(1) == 50)
        // Counting starts again from zero.
        #expect(window.consumed(30) == nil)
        #expect(window.consumed(45) == 75)
        // One frame past half on its own.
        #expect(window.consumed(80) == 80)
    }

    @Test func defaultStreamWindowNeedsHalfOf65535() {
        var window = HTTP2InboundWindow(target: 65_535)
        #expect(window.consumed(32_767) == nil)
        #expect(window.consumed(1) == 32_768)
    }

    @Test func resetForgetsWhatWasConsumed() {
        var window = HTTP2InboundWindow(target: 100)
        #expect(window.consumed(49) == nil)
        window.reset()
        #expect(window.consumed(1) == nil)
        #expect(window.consumed(48) == nil)
        #expect(window.consumed(1) == 50)
    }

    @Test func connectionIncrementTopsUpOnceAtMostHalfRemains() {
        let window = HTTP2InboundWindow(target: 1_000)
        #expect(window.increment(forRemaining: 1_000) == nil)
        #expect(window.increment(forRemaining: 1_500) == nil)
        #expect(window.increment(forRemaining: 501) == nil)
        #expect(window.increment(forRemaining: 500) == 500)
        #expect(window.increment(forRemaining: 1) == 999)
        #expect(window.increment(forRemaining: 0) == 1_000)
        // A window the peer overran (or a shrunk setting) is topped up past the target's size.
        #expect(window.increment(forRemaining: -200) == 1_200)
    }

    @Test func connectionIncrementIsClampedToTheLargestLegalIncrement() {
        let window = HTTP2InboundWindow(target: Int(Int32.max))
        #expect(window.increment(forRemaining: 0) == Int(Int32.max))
        #expect(window.increment(forRemaining: -10) == Int(Int32.max))
        #expect(window.increment(forRemaining: Int(Int32.max) / 2 + 1) == nil)
    }

    @Test func initialIncrementOnlyAboveTheProtocolDefault() {
        #expect(HTTP2InboundWindow(target: 65_535).initialIncrement == nil)
        #expect(HTTP2InboundWindow(target: 1_000).initialIncrement == nil)
        #expect(HTTP2InboundWindow(target: 65_536).initialIncrement == 1)
        #expect(HTTP2InboundWindow(target: 1_048_576).initialIncrement == 983_041)
        #expect(HTTP2InboundWindow(target: 268_435_456).initialIncrement == 268_369_921)
    }

    // MARK: - HTTP2StreamSendBuffer

    @Test func becomesUnwritableExactlyAtTheHighWatermark() {
        var buffer = HTTP2StreamSendBuffer(window: 65_535)
        #expect(buffer.isWritable)
        #expect(buffer.wrote(65_535) == false)
        #expect(buffer.isWritable)
        #expect(buffer.wrote(1) == true)
        #expect(!buffer.isWritable)
        #expect(buffer.queued == 65_536)
        // Only the transition is reported.
        #expect(buffer.wrote(10) == false)
        #expect(!buffer.isWritable)
    }

    @Test func sentBytesDrainAndWritabilityReturnsOnlyAtTheLowWatermark() {
        var buffer = HTTP2StreamSendBuffer(window: 65_535)
        #expect(buffer.wrote(65_546) == true)
        // 32,000 sent: 33,546 still queued, above the low watermark.
        #expect(buffer.windowReported(33_535) == false)
        #expect(buffer.queued == 33_546)
        #expect(!buffer.isWritable)
        // 778 more: exactly 32,768 queued.
        #expect(buffer.windowReported(32_757) == true)
        #expect(buffer.queued == 32_768)
        #expect(buffer.isWritable)
        #expect(buffer.windowReported(32_000) == false)
        #expect(buffer.isWritable)
    }

    @Test func queuedNeverGoesNegative() {
        var buffer = HTTP2StreamSendBuffer(window: 65_535)
        _ = buffer.wrote(100)
        #expect(buffer.windowReported(0) == false)
        #expect(buffer.queued == 0)
    }

    @Test func windowUpdatesDoNotDrain() {
        var buffer = HTTP2StreamSendBuffer(window: 100_000)
        #expect(buffer.wrote(70_000) == true)
        // The peer's WINDOW_UPDATE: a bigger window, nothing sent.
        #expect(buffer.windowReported(200_000) == false)
        #expect(buffer.queued == 70_000)
        #expect(!buffer.isWritable)
        // Sending is measured from the new window.
        #expect(buffer.windowReported(160_000) == true)
        #expect(buffer.queued == 30_000)
    }

    @Test func aSettingsShiftIsNotMistakenForSentBytes() {
        var buffer = HTTP2StreamSendBuffer(window: 65_535)
        #expect(buffer.wrote(70_000) == true)
        buffer.windowShifted(by: -30_000)
        // NIOHTTP2 reports the shifted window: nothing went out.
        #expect(buffer.windowReported(35_535) == false)
        #expect(buffer.queued == 70_000)
        buffer.windowShifted(by: 100_000)
        #expect(buffer.windowReported(135_535) == false)
        #expect(buffer.queued == 70_000)
        #expect(buffer.windowReported(95_535) == true)
        #expect(buffer.queued == 30_000)
    }

    @Test func windowCreatedResetsTheBaseline() {
        var buffer = HTTP2StreamSendBuffer(window: 65_535)
        buffer.windowCreated(1_000_000)
        #expect(buffer.wrote(70_000) == true)
        #expect(buffer.windowReported(960_000) == true)
        #expect(buffer.queued == 30_000)
    }

    // MARK: - HTTP2ResponseHeaders

    @Test func statusComesFirstAndNamesAreLowercased() {
        let head = HTTPResponseHead(version: .http1_1, status: .notFound, headers: [
            "Content-Type": "Text/HTML; Charset=UTF-8", "X-Request-ID": "AbC", "server": "envoy",
        ])
        let fields = HTTP2ResponseHeaders.fields(head)
        #expect(fields.map(\.name) == [":status", "content-type", "x-request-id", "server"])
        #expect(fields.first(name: ":status") == "404")
        #expect(fields.first(name: "content-type") == "Text/HTML; Charset=UTF-8")
        #expect(fields.first(name: "x-request-id") == "AbC")
    }

    @Test func connectionSpecificHeadersAndTheOnesConnectionNamesAreDropped() {
        let head = HTTPResponseHead(version: .http1_1, status: .ok, headers: [
            "Connection": "keep-alive, X-Foo", "Keep-Alive": "timeout=5", "Proxy-Connection": "close",
            "Transfer-Encoding": "chunked", "Upgrade": "h2c", "X-Foo": "hop", "X-Kept": "Mixed Value",
            "x-foo-bar": "not named",
        ])
        let fields = HTTP2ResponseHeaders.fields(head)
        #expect(fields.map(\.name) == [":status", "x-kept", "x-foo-bar"])
        #expect(fields.first(name: "x-kept") == "Mixed Value")
        #expect(fields.first(name: ":status") == "200")
    }

    @Test func repeatedHeadersKeepTheirOrder() {
        let head = HTTPResponseHead(version: .http1_1, status: .ok, headers: [
            "Set-Cookie": "a=1", "Vary": "Accept", "set-cookie": "b=2",
        ])
        let fields = HTTP2ResponseHeaders.fields(head)
        #expect(fields.map(\.name) == [":status", "set-cookie", "vary", "set-cookie"])
        #expect(fields["set-cookie"] == ["a=1", "b=2"])
    }

    @Test func trailerFieldsHaveNoPseudoHeaders() {
        let trailers: HTTPHeaders = ["Grpc-Status": "0", "grpc-message": "All Good", "Connection": "close"]
        let fields = HTTP2ResponseHeaders.trailerFields(trailers)
        #expect(fields.map(\.name) == ["grpc-status", "grpc-message"])
        #expect(!fields.contains { $0.name.hasPrefix(":") })
        #expect(fields.first(name: "grpc-message") == "All Good")
    }
}
