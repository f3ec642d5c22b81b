/// Reads one `grpc.health.v1.Health/Check` response (response headers, the length-prefixed
/// `HealthCheckResponse`, trailers) into a verdict, as Envoy's `GrpcActiveHealthCheckSession`:
/// only `:status` 200, a gRPC content type, `grpc-status: 0` and `status: SERVING` pass.
/// A pure value, fed by the stream handler, so it is tested without sockets.
package struct GRPCHealthCheckResponseParser {
    /// What the response decided, once it did.
    package enum Outcome: Equatable {
        case serving
        /// The host answered but is not healthy (the reason is for logs and tests).
        case failed(String)
    }

    /// `HealthCheckResponse.ServingStatus.SERVING`.
    static let serving: UInt64 = 1
    /// Envoy does not buffer more of a health response than this.
    private static let messageLimit = 64 * 1024

    package init() {}

    private var sawHeaders = false
    private var buffer: [UInt8] = []
    /// The decoded `status` of the first complete message, if any.
    package private(set) var servingStatus: UInt64?
    package private(set) var outcome: Outcome?

    /// A HEADERS frame's fields; the first is the response head, a later one (or one that ends the
    /// stream: "trailers-only") the trailers.
    package mutating func headers(_ fields: [(name: String, value: String)], endStream: Bool) {
        guard outcome == nil else { return }
        if !sawHeaders {
            sawHeaders = true
            let status = fields.first { $0.name == ":status" }?.value
            guard status == "200" else { return decide(.failed("non-200 HTTP response \(status ?? "none")")) }
            let type = fields.first { $0.name == "content-type" }?.value ?? ""
            guard type.hasPrefix("application/grpc") else { return decide(.failed("invalid gRPC content-type \(type)")) }
            if !endStream { return }
        }
        trailers(fields)
    }

    /// DATA frame bytes; `endStream` without trailers is a failure.
    package mutating func data(_ bytes: some Sequence<UInt8>, endStream: Bool) {
        guard outcome == nil else { return }
        if servingStatus == nil {
            buffer += bytes
            if buffer.count > Self.messageLimit { return decide(.failed("response too large")) }
            parseMessage()
            if outcome != nil { return }
        }
        if endStream { decide(.failed("stream ended without trailers")) }
    }

    // MARK: - internals

    private mutating func trailers(_ fields: [(name: String, value: String)]) {
        let grpcStatus = fields.first { $0.name == "grpc-status" }?.value
        guard grpcStatus == "0" else {
            let message = fields.first { $0.name == "grpc-message" }?.value ?? ""
            return decide(.failed("grpc-status \(grpcStatus ?? "missing") \(message)"))
        }
        guard let servingStatus else { return decide(.failed("no health check response message")) }
        decide(servingStatus == Self.serving ? .serving : .failed("serving status \(servingStatus)"))
    }

    private mutating func parseMessage() {
        guard buffer.count >= 5 else { return }
        guard buffer[0] == 0 else { return decide(.failed("compressed response message")) }
        let length = Int(buffer[1]) << 24 | Int(buffer[2]) << 16 | Int(buffer[3]) << 8 | Int(buffer[4])
        guard length <= Self.messageLimit else { return decide(.failed("response too large")) }
        guard buffer.count >= 5 + length else { return }
        guard let status = Self.decodeStatus(buffer[5..<(5 + length)]) else {
            return decide(.failed("malformed HealthCheckResponse"))
        }
        servingStatus = status
        buffer = []
    }

    /// Field 1 (`status`, a varint) of a `HealthCheckResponse`; proto3's default UNKNOWN (0) when
    /// absent. Other fields are skipped by wire type; nil when the bytes are not protobuf.
    package static func decodeStatus(_ bytes: ArraySlice<UInt8>) -> UInt64? {
        var i = bytes.startIndex
        var status: UInt64 = 0
        func varint() -> UInt64? {
            var value: UInt64 = 0
            var shift: UInt64 = 0
            while i < bytes.endIndex, shift < 64 {
                let b = bytes[i]
                i += 1
                value |= UInt64(b & 0x7F) << shift
                if b & 0x80 == 0 { return value }
                shift += 7
            }
            return nil
        }
        while i < bytes.endIndex {
            guard let key = varint() else { return nil }
            switch key & 7 {
            case 0:
                guard let v = varint() else { return nil }
                if key >> 3 == 1 { status = v }
            case 1:
                guard bytes.endIndex - i >= 8 else { return nil }
                i += 8
            case 2:
                guard let n = varint(), UInt64(bytes.endIndex - i) >= n else { return nil }
                i += Int(n)
            case 5:
                guard bytes.endIndex - i >= 4 else { return nil }
                i += 4
            default:
                return nil
            }
        }
        return status
    }

    private mutating func decide(_ o: Outcome) {
        outcome = o
        buffer = []
    }
}
