import Testing
import TernUpstream

@Suite("gRPC health check request and response")
struct GRPCHealthCheckResponseParserTests {
    static let ok: [(name: String, value: String)] = [(":status", "200"), ("content-type", "application/grpc")]
    static let trailersOK: [(name: String, value: String)] = [("grpc-status", "0")]

    /// A length-prefixed `HealthCheckResponse` with `status` (field 1, varint).
    static func message(status: UInt8) -> [UInt8] { [0, 0, 0, 0, 2, 0x08, status] }

    static func run(head: [(name: String, value: String)] = ok, data: [[UInt8]],
                    trailers: [(name: String, value: String)]? = trailersOK) -> GRPCHealthCheckResponseParser.Outcome? {
        var p = GRPCHealthCheckResponseParser()
        p.headers(head, endStream: false)
        for (i, d) in data.enumerated() { p.data(d, endStream: trailers == nil && i == data.count - 1) }
        if let trailers { p.headers(trailers, endStream: true) }
        return p.outcome
    }

    @Test("the request is the 5-byte prefix plus field 1, and only the prefix for the empty service")
    func requestEncoding() {
        #expect(GRPCHealthCheckConfig().requestMessage == [0, 0, 0, 0, 0])
        #expect(GRPCHealthCheckConfig(serviceName: "ab").requestMessage == [0, 0, 0, 0, 4, 0x0A, 2, 0x61, 0x62])
        let long = String(repeating: "x", count: 200)
        let encoded = GRPCHealthCheckConfig(serviceName: long).requestMessage
        #expect(Array(encoded.prefix(8)) == [0, 0, 0, 0, 203, 0x0A, 0xC8, 0x01], "a two-byte varint length")
        #expect(encoded.count == 5 + 3 + 200)
    }

    @Test("SERVING with grpc-status 0 passes, also when the message arrives byte by byte")
    func serving() {
        #expect(Self.run(data: [Self.message(status: 1)]) == .serving)
        #expect(Self.run(data: Self.message(status: 1).map { [$0] }) == .serving)
    }

    @Test("NOT_SERVING, UNKNOWN, SERVICE_UNKNOWN and an empty message (UNKNOWN) fail")
    func notServing() {
        for status: UInt8 in [0, 2, 3] {
            #expect(Self.run(data: [Self.message(status: status)]) == .failed("serving status \(status)"))
        }
        #expect(Self.run(data: [[0, 0, 0, 0, 0]]) == .failed("serving status 0"))
    }

    @Test("a non-200 :status, a wrong content-type, a non-zero grpc-status or no trailers fail")
    func protocolFailures() {
        #expect(Self.run(head: [(":status", "503")], data: []) == .failed("non-200 HTTP response 503"))
        #expect(Self.run(head: [(":status", "200"), ("content-type", "text/plain")], data: [])
                == .failed("invalid gRPC content-type text/plain"))
        #expect(Self.run(data: [Self.message(status: 1)], trailers: [("grpc-status", "14")]) == .failed("grpc-status 14 "))
        #expect(Self.run(data: [Self.message(status: 1)], trailers: nil) == .failed("stream ended without trailers"))
        #expect(Self.run(data: [[1, 0, 0, 0, 2, 0x08, 1]]) == .failed("compressed response message"))
    }

    @Test("trailers-only: a single HEADERS that ends the stream carries grpc-status")
    func trailersOnly() {
        var p = GRPCHealthCheckResponseParser()
        p.headers(Self.ok + [("grpc-status", "5"), ("grpc-message", "unknown service")], endStream: true)
        #expect(p.outcome == .failed("grpc-status 5 unknown service"))
    }

    @Test("unknown fields are skipped; a truncated varint is malformed")
    func decoding() {
        // field 2 (length-delimited "hi"), field 3 (fixed32), then status SERVING.
        let bytes: [UInt8] = [0x12, 2, 0x68, 0x69, 0x1D, 1, 2, 3, 4, 0x08, 1]
        #expect(GRPCHealthCheckResponseParser.decodeStatus(bytes[...]) == 1)
        #expect(GRPCHealthCheckResponseParser.decodeStatus([0x08, 0x80][...]) == nil)
        #expect(GRPCHealthCheckResponseParser.decodeStatus([][...]) == 0)
    }
}
