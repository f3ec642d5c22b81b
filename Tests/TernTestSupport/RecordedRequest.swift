// What an UpstreamServer saw: one entry per request, in arrival order.

import Foundation

/// A request as it reached the upstream, after the proxy under test had its way with it.
public struct RecordedRequest: Sendable, Codable, CustomStringConvertible {
    public var method: String
    public var uri: String
    /// "HTTP/1.1" or "HTTP/1.0".
    public var version: String
    public var headers: HeaderFields
    public var body: [UInt8]
    /// Which upstream connection carried it, counting from 1 per server.
    public var connection: Int

    public var bodyText: String { String(decoding: body, as: UTF8.self) }

    /// The path part of the URI, without the query.
    public var path: String { String(uri.split(separator: "?", maxSplits: 1).first ?? "") }

    public var description: String {
        "\(method) \(uri) \(version) (connection \(connection), \(body.count) body bytes)\n\(headers)"
    }
}

/// The JSON body an `.echo` upstream answers with.
public struct EchoedRequest: Sendable, Codable {
    public var upstream: String
    public var method: String
    public var uri: String
    public var version: String
    public var headers: HeaderFields
    public var bodyLength: Int
    /// FNV-1a 64 of the body, in hex: compares large bodies without sending them back.
    public var bodyChecksum: String
    /// The body itself when it is at most 64 KiB, else empty.
    public var body: String

    init(_ request: RecordedRequest, upstream: String) {
        self.upstream = upstream
        method = request.method
        uri = request.uri
        version = request.version
        headers = request.headers
        bodyLength = request.body.count
        bodyChecksum = Checksum.fnv1a(request.body)
        body = request.body.count <= 65536 ? request.bodyText : ""
    }

    /// Decodes an echo body.
    public static func decode(_ body: [UInt8]) throws -> EchoedRequest {
        try JSONDecoder().decode(EchoedRequest.self, from: Data(body))
    }
}

/// A cheap, stable checksum for comparing bodies.
public enum Checksum {
    /// FNV-1a, 64 bits, as 16 hex digits.
    public static func fnv1a(_ bytes: [UInt8]) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
