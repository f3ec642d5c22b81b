import NIOHTTP1
import Testing
@testable import TernHTTP

@Suite struct GRPCLocalReplyTests {
    @Test("HTTP status → grpc-status, Envoy's httpToGrpcStatus table", arguments: [
        (400, 13), (401, 16), (403, 7), (404, 12), (429, 14), (502, 14), (503, 14), (504, 14),
        (408, 2), (500, 2), (200, 2),
    ])
    func statusMapping(_ http: Int, _ grpc: Int) {
        #expect(GRPCStatus.forHTTPStatus(http) == grpc)
    }

    @Test func grpcContentTypes() {
        #expect(GRPCLocalReply.isGRPC(["content-type": "application/grpc"]))
        #expect(GRPCLocalReply.isGRPC(["content-type": "application/grpc+proto"]))
        #expect(!GRPCLocalReply.isGRPC(["content-type": "application/grpc-web"]))
        #expect(!GRPCLocalReply.isGRPC(["content-type": "application/grpcx"]))
        #expect(!GRPCLocalReply.isGRPC(["content-type": "text/plain"]))
        #expect(!GRPCLocalReply.isGRPC([:]))
    }

    @Test("grpc-message: control bytes, `~` and above, and `%` are percent-encoded", arguments: [
        ("upstream request timeout", "upstream request timeout"),
        ("100% done", "100%25 done"),
        ("tab\there", "tab%09here"),
        ("a~b", "a%7Eb"),
        ("caf\u{e9}", "caf%C3%A9"),
        ("", ""),
    ])
    func percentEncoding(_ text: String, _ encoded: String) {
        #expect(GRPCLocalReply.percentEncode(text) == encoded)
    }

    @Test func trailersOnlyHeadKeepsExtraHeadersAndDropsContentLength() {
        let h = GRPCLocalReply.head(httpStatus: 503, grpcStatus: nil, body: "no healthy upstream",
                                    headers: ["x-envoy-overloaded": "true", "content-length": "19", "content-type": "text/plain"],
                                    isHeadRequest: false)
        #expect(h["content-type"] == ["application/grpc"])
        #expect(h["grpc-status"] == ["14"])
        #expect(h["grpc-message"] == ["no healthy upstream"])
        #expect(h["x-envoy-overloaded"] == ["true"])
        #expect(!h.contains(name: "content-length"))
    }

    @Test func explicitStatusWinsAndAnEmptyBodyHasNoMessage() {
        let h = GRPCLocalReply.head(httpStatus: 504, grpcStatus: GRPCStatus.deadlineExceeded, body: "",
                                    headers: [:], isHeadRequest: false)
        #expect(h["grpc-status"] == ["4"])
        #expect(!h.contains(name: "grpc-message"))
        let preset = GRPCLocalReply.head(httpStatus: 503, grpcStatus: 4, body: "x", headers: ["grpc-status": "9"],
                                         isHeadRequest: false)
        #expect(preset["grpc-status"] == ["9"], "a grpc-status the caller set is kept, as in Envoy")
    }
}
