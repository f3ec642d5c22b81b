/// `grpc_health_check`: a `grpc.health.v1.Health/Check` unary call over HTTP/2 (h2c, prior
/// knowledge); the host is healthy when the response's status is `SERVING`.
public struct GRPCHealthCheckConfig: Sendable, Equatable {
    /// `HealthCheckRequest.service`; empty asks about the server as a whole.
    public let serviceName: String
    /// The `:authority`; empty means the cluster name, as Envoy.
    public let authority: String
    /// `initial_metadata`: headers added to each call (`append` false replaces a header of that name).
    public let initialMetadata: [(name: String, value: String, append: Bool)]

    public init(serviceName: String = "", authority: String = "",
                initialMetadata: [(name: String, value: String, append: Bool)] = []) {
        self.serviceName = serviceName
        self.authority = authority
        self.initialMetadata = initialMetadata
    }

    public static func == (a: Self, b: Self) -> Bool {
        a.serviceName == b.serviceName && a.authority == b.authority
            && a.initialMetadata.map { "\($0.name)\u{0}\($0.value)\u{0}\($0.append)" }
                == b.initialMetadata.map { "\($0.name)\u{0}\($0.value)\u{0}\($0.append)" }
    }

    /// The request's path, as every gRPC health server serves it.
    package static let path = "/grpc.health.v1.Health/Check"

    /// The gRPC message of one `HealthCheckRequest`: the 5-byte length prefix (uncompressed), then
    /// field 1 (`service`, length-delimited) unless empty, as proto3 omits an empty string.
    package var requestMessage: [UInt8] {
        var body: [UInt8] = []
        if !serviceName.isEmpty {
            let name = Array(serviceName.utf8)
            body.append(0x0A)  // field 1, wire type 2
            var n = UInt64(name.count)
            while n >= 0x80 {
                body.append(UInt8(n & 0x7F) | 0x80)
                n >>= 7
            }
            body.append(UInt8(n))
            body += name
        }
        let length = UInt32(body.count)
        return [0, UInt8(length >> 24), UInt8((length >> 16) & 0xFF), UInt8((length >> 8) & 0xFF), UInt8(length & 0xFF)] + body
    }
}
