import NIOCore
import SwiftProtobuf
import Testing
@testable import TernConfig
@testable import TernHTTP

/// `http2_protocol_options` compiled with Envoy's defaults and ranges, and the AUTO codec
/// detection on a connection's first bytes.
@Suite struct HTTP2DownstreamConfigTests {
    typealias Options = Envoy_Config_Core_V3_Http2ProtocolOptions

    func compile(_ p: Options) throws -> HTTP2Settings {
        try HTTPConnectionManagerCompiler.compileHTTP2(p, path: "hcm.http2_protocol_options")
    }

    func uint32(_ v: UInt32) -> Google_Protobuf_UInt32Value {
        var w = Google_Protobuf_UInt32Value()
        w.value = v
        return w
    }

    @Test func defaultsAreEnvoys() throws {
        let s = try compile(Options())
        #expect(s.maxConcurrentStreams == 2_147_483_647)
        #expect(s.initialStreamWindowSize == 256 * 1024 * 1024)
        #expect(s.initialConnectionWindowSize == 256 * 1024 * 1024)
    }

    @Test func valuesAreTaken() throws {
        var p = Options()
        p.maxConcurrentStreams = uint32(100)
        p.initialStreamWindowSize = uint32(65535)
        p.initialConnectionWindowSize = uint32(1 << 20)
        let s = try compile(p)
        #expect(s.maxConcurrentStreams == 100)
        #expect(s.initialStreamWindowSize == 65535)
        #expect(s.initialConnectionWindowSize == 1 << 20)
    }

    @Test func outOfRangeValuesNameTheirField() throws {
        var p = Options()
        p.maxConcurrentStreams = uint32(0)
        #expect { try compile(p) } throws: { ($0 as? CompileError)?.path == "hcm.http2_protocol_options.max_concurrent_streams" }
        p = Options()
        p.initialStreamWindowSize = uint32(1000)
        #expect { try compile(p) } throws: { ($0 as? CompileError)?.path == "hcm.http2_protocol_options.initial_stream_window_size" }
        p = Options()
        p.initialConnectionWindowSize = uint32(1 << 31)
        #expect { try compile(p) } throws: {
            ($0 as? CompileError)?.path == "hcm.http2_protocol_options.initial_connection_window_size"
        }
    }

    // MARK: - AUTO detection

    @Test func prefaceSelectsHTTP2() {
        #expect(HTTPCodecDetector.detect(ByteBuffer(string: "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")) == true)
        #expect(HTTPCodecDetector.detect(ByteBuffer(string: "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\u{0}\u{0}\u{12}\u{4}")) == true)
    }

    @Test func anythingElseIsHTTP1AsSoonAsItDiffers() {
        #expect(HTTPCodecDetector.detect(ByteBuffer(string: "GET / HTTP/1.1\r\n")) == false)
        #expect(HTTPCodecDetector.detect(ByteBuffer(string: "G")) == false)
        #expect(HTTPCodecDetector.detect(ByteBuffer(string: "PUT / HTTP/1.1\r\n")) == false)
        #expect(HTTPCodecDetector.detect(ByteBuffer(string: "PRI * HTTP/1.1\r\n\r\n")) == false)
    }

    @Test func aPrefixOfThePrefaceWaitsForMore() {
        #expect(HTTPCodecDetector.detect(ByteBuffer(string: "PRI * HTTP/2")) == nil)
        #expect(HTTPCodecDetector.detect(ByteBuffer()) == nil)
    }
}
