import NIOCore

/// Reads a TLS ClientHello from the first bytes of a connection, as tls_inspector needs it: is
/// this TLS at all, and if so which server name (SNI) and ALPN protocols does the client ask for.
/// A pure value: it is handed every byte received so far (from the first) and answers as soon
/// as it can, without waiting for more bytes than the decision needs.
///
/// The ClientHello may be split over several TLS records and over several reads. Anything that
/// is not a well-formed ClientHello is `notTLS` (Envoy's tls_inspector likewise counts a
/// ClientHello BoringSSL cannot parse as "TLS not found" and lets the connection through as
/// raw_buffer). Nothing is ever trusted: every length is checked against what is there.
package struct ClientHelloParser: Sendable {
    /// What the bytes so far say.
    package enum Result: Equatable, Sendable {
        /// Could still be a ClientHello: wait for more bytes.
        case needMoreData
        /// Not a TLS ClientHello (plaintext, another record type, or a malformed hello).
        case notTLS
        /// A complete ClientHello.
        case clientHello(ClientHello)
        /// Looks like TLS but `maxClientHelloSize` bytes went by without a whole hello (e.g. a
        /// hello cut into many tiny records).
        case tooLarge
    }

    /// What tls_inspector takes from a ClientHello.
    package struct ClientHello: Equatable, Sendable {
        /// The `host_name` of the server_name extension; empty without one.
        package var serverName: String
        /// The application_layer_protocol_negotiation list, in the client's order; empty without one.
        package var applicationProtocols: [String]
        /// True when the ALPN extension was present and well formed.
        package var hasALPN: Bool
    }

    /// Envoy's `TLS_MAX_CLIENT_HELLO`: bytes read before a hello counts as too large.
    package static let maxClientHelloSize = 64 * 1024

    /// The most bytes this parser will look at.
    package let maxClientHelloSize: Int

    package init(maxClientHelloSize: Int = ClientHelloParser.maxClientHelloSize) {
        self.maxClientHelloSize = maxClientHelloSize
    }

    // TLS constants (RFC 8446 §5.1, §4; RFC 6066 §3; RFC 7301 §3.1).
    private static let contentTypeHandshake: UInt8 = 22
    private static let handshakeTypeClientHello: UInt8 = 1
    private static let recordHeaderLength = 5
    /// A plaintext record carries at most 2^14 bytes; BoringSSL allows 2048 more before refusing.
    private static let maxRecordLength = 16384 + 2048
    /// BoringSSL's limit on a ClientHello message (`ssl_max_handshake_message_len` on a server);
    /// a longer one is a parse error there, so Envoy calls it "TLS not found".
    private static let maxMessageLength = 16384
    /// BoringSSL refuses more empty records in a row than this.
    private static let maxEmptyRecords = 32
    private static let extensionServerName: UInt16 = 0
    private static let extensionALPN: UInt16 = 16
    private static let serverNameTypeHostName: UInt8 = 0

    /// Judges everything received so far (`bytes` from its reader index: the connection's first byte).
    package func parse(_ bytes: ByteBuffer) -> Result {
        bytes.withUnsafeReadableBytes { parse(UnsafeRawBufferPointer($0)) }
    }

    /// As `parse(_:)`, over a plain byte array (tests).
    package func parse(_ bytes: [UInt8]) -> Result {
        bytes.withUnsafeBytes { parse($0) }
    }

    private func parse(_ raw: UnsafeRawBufferPointer) -> Result {
        // Pass 1, cheap and allocation-free: walk the record headers to learn whether the whole
        // handshake message is here. A client that dribbles its hello a byte at a time costs a
        // few header reads per byte, not a re-parse of the hello.
        var offset = 0
        var handshakeBytes = 0
        var messageLength: Int?
        var prefix: (UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0)
        var emptyRecords = 0
        while true {
            if let length = messageLength, handshakeBytes >= 4 + length { break }
            guard offset < raw.count else { return raw.count >= maxClientHelloSize ? .tooLarge : .needMoreData }
            // Decide on the first byte of each record header as soon as it is in.
            guard raw[offset] == Self.contentTypeHandshake else { return .notTLS }
            guard offset + 1 < raw.count else { return .needMoreData }
            guard raw[offset + 1] == 3 else { return .notTLS }  // major version of SSL 3.0 .. TLS 1.3
            guard offset + Self.recordHeaderLength <= raw.count else { return .needMoreData }
            let recordLength = Int(raw[offset + 3]) << 8 | Int(raw[offset + 4])
            guard recordLength <= Self.maxRecordLength else { return .notTLS }
            emptyRecords = recordLength == 0 ? emptyRecords + 1 : 0
            guard emptyRecords <= Self.maxEmptyRecords else { return .notTLS }
            let body = offset + Self.recordHeaderLength
            // Handshake header bytes may themselves be split across records.
            var i = 0
            while i < recordLength, handshakeBytes < 4, body + i < raw.count {
                switch handshakeBytes {
                case 0: prefix.0 = raw[body + i]
                case 1: prefix.1 = raw[body + i]
                case 2: prefix.2 = raw[body + i]
                default: prefix.3 = raw[body + i]
                }
                handshakeBytes += 1
                i += 1
                if handshakeBytes == 1, prefix.0 != Self.handshakeTypeClientHello { return .notTLS }
            }
            if handshakeBytes == 4, messageLength == nil {
                let length = Int(prefix.1) << 16 | Int(prefix.2) << 8 | Int(prefix.3)
                guard length <= Self.maxMessageLength else { return .notTLS }
                messageLength = length
            }
            let available = min(recordLength, raw.count - body)
            handshakeBytes += max(0, available - i)
            guard available == recordLength else {
                // A partial record: enough if the message ends inside what is here.
                if let length = messageLength, handshakeBytes >= 4 + length { break }
                return raw.count >= maxClientHelloSize ? .tooLarge : .needMoreData
            }
            offset = body + recordLength
        }
        // Pass 2: the message is complete; gather its bytes out of the records and read it.
        guard let length = messageLength else { return .notTLS }
        var message = [UInt8]()
        message.reserveCapacity(4 + length)
        offset = 0
        while message.count < 4 + length {
            let recordLength = Int(raw[offset + 3]) << 8 | Int(raw[offset + 4])
            let body = offset + Self.recordHeaderLength
            let take = min(recordLength, 4 + length - message.count, raw.count - body)
            message.append(contentsOf: raw[body..<(body + take)])
            offset = body + recordLength
        }
        guard let hello = Self.readClientHello(message[4...]) else { return .notTLS }
        return .clientHello(hello)
    }

    /// The ClientHello body (RFC 8446 §4.1.2); nil when malformed.
    private static func readClientHello(_ body: ArraySlice<UInt8>) -> ClientHello? {
        var r = Reader(body)
        guard r.skip(2), r.skip(32) else { return nil }  // legacy_version, random
        guard let sessionID = r.vector8(), sessionID.count <= 32 else { return nil }
        guard let suites = r.vector16(), suites.count >= 2, suites.count % 2 == 0 else { return nil }
        guard let compression = r.vector8(), !compression.isEmpty else { return nil }
        var hello = ClientHello(serverName: "", applicationProtocols: [], hasALPN: false)
        // A hello without extensions (SSL 3.0 style) simply ends here.
        guard !r.isAtEnd else { return hello }
        guard let extensionBlock = r.vector16(), r.isAtEnd else { return nil }
        var extensions = Reader(extensionBlock)
        var seen = Set<UInt16>()
        while !extensions.isAtEnd {
            guard let type = extensions.u16(), let data = extensions.vector16() else { return nil }
            // A repeated extension is a decode error in every TLS stack.
            guard seen.insert(type).inserted else { return nil }
            switch type {
            case extensionServerName:
                guard let name = readServerName(data) else { return nil }
                hello.serverName = name
            case extensionALPN:
                // As Envoy: a malformed ALPN list is ignored here; the TLS stack reports it later.
                if let protocols = readALPN(data) {
                    hello.applicationProtocols = protocols
                    hello.hasALPN = true
                }
            default:
                break
            }
        }
        return hello
    }

    /// server_name extension (RFC 6066 §3): the first `host_name` entry.
    private static func readServerName(_ data: ArraySlice<UInt8>) -> String? {
        var r = Reader(data)
        guard let list = r.vector16(), r.isAtEnd, !list.isEmpty else { return nil }
        var entries = Reader(list)
        var hostName: String?
        while !entries.isAtEnd {
            guard let type = entries.u8(), let name = entries.vector16() else { return nil }
            if type == serverNameTypeHostName, hostName == nil {
                // Host names are ASCII; NUL or empty names are refused, as BoringSSL does.
                guard !name.isEmpty, !name.contains(0) else { return nil }
                hostName = String(decoding: name, as: UTF8.self)
            }
        }
        return hostName ?? ""
    }

    /// application_layer_protocol_negotiation extension (RFC 7301 §3.1).
    private static func readALPN(_ data: ArraySlice<UInt8>) -> [String]? {
        var r = Reader(data)
        guard let list = r.vector16(), r.isAtEnd, list.count >= 2 else { return nil }
        var names = Reader(list)
        var protocols: [String] = []
        while !names.isAtEnd {
            guard let name = names.vector8(), !name.isEmpty else { return nil }
            protocols.append(String(decoding: name, as: UTF8.self))
        }
        return protocols
    }
}

/// A bounds-checked cursor over bytes: every read answers nil rather than run past the end.
private struct Reader {
    private var bytes: ArraySlice<UInt8>

    init(_ bytes: ArraySlice<UInt8>) { self.bytes = bytes }

    var isAtEnd: Bool { bytes.isEmpty }

    mutating func skip(_ n: Int) -> Bool {
        guard bytes.count >= n else { return false }
        bytes = bytes.dropFirst(n)
        return true
    }

    mutating func u8() -> UInt8? {
        guard let b = bytes.first else { return nil }
        bytes = bytes.dropFirst()
        return b
    }

    mutating func u16() -> UInt16? {
        guard bytes.count >= 2 else { return nil }
        let i = bytes.startIndex
        let v = UInt16(bytes[i]) << 8 | UInt16(bytes[i + 1])
        bytes = bytes.dropFirst(2)
        return v
    }

    /// A vector with a one-byte length prefix.
    mutating func vector8() -> ArraySlice<UInt8>? {
        guard let n = u8() else { return nil }
        return take(Int(n))
    }

    /// A vector with a two-byte length prefix.
    mutating func vector16() -> ArraySlice<UInt8>? {
        guard let n = u16() else { return nil }
        return take(Int(n))
    }

    private mutating func take(_ n: Int) -> ArraySlice<UInt8>? {
        guard bytes.count >= n else { return nil }
        let part = bytes.prefix(n)
        bytes = bytes.dropFirst(n)
        return part
    }
}
