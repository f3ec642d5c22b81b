import NIOCore
import Testing
@testable import TernNetwork

/// Builds TLS ClientHello bytes the way clients lay them out, so the parser can be fed whole
/// hellos, hellos split over records and reads, and broken variants.
struct ClientHelloBytes {
    var serverName: String?
    var alpn: [String]?
    var extraExtensions: [(UInt16, [UInt8])] = []
    var sessionID = [UInt8](repeating: 7, count: 32)
    var withExtensions = true

    /// The handshake message: type 1, 24-bit length, body.
    var message: [UInt8] {
        var body: [UInt8] = [0x03, 0x03] + [UInt8](repeating: 0xAB, count: 32)
        body += [UInt8(sessionID.count)] + sessionID
        body += u16(4) + [0x13, 0x01, 0x13, 0x02]  // two cipher suites
        body += [1, 0]  // null compression
        if withExtensions {
            var exts: [UInt8] = []
            if let serverName {
                let name = Array(serverName.utf8)
                let entry = [UInt8(0)] + u16(name.count) + name
                exts += extensionBytes(0, u16(entry.count) + entry)
            }
            // A padding-like extension Tern does not read, between the two it does.
            exts += extensionBytes(0x002B, [2, 0x03, 0x04])
            if let alpn {
                let list = alpn.flatMap { [UInt8($0.utf8.count)] + Array($0.utf8) }
                exts += extensionBytes(16, u16(list.count) + list)
            }
            for (type, data) in extraExtensions { exts += extensionBytes(type, data) }
            body += u16(exts.count) + exts
        }
        return [1, UInt8(body.count >> 16), UInt8((body.count >> 8) & 0xFF), UInt8(body.count & 0xFF)] + body
    }

    /// The message in TLS records of at most `recordSize` payload bytes each.
    func records(recordSize: Int = 16384) -> [UInt8] {
        var out: [UInt8] = []
        var rest = message[...]
        while !rest.isEmpty {
            let part = rest.prefix(recordSize)
            rest = rest.dropFirst(part.count)
            out += [22, 3, 1] + u16(part.count) + part
        }
        return out
    }

    private func extensionBytes(_ type: UInt16, _ data: [UInt8]) -> [UInt8] {
        u16(Int(type)) + u16(data.count) + data
    }
}

private func u16(_ n: Int) -> [UInt8] { [UInt8((n >> 8) & 0xFF), UInt8(n & 0xFF)] }

@Suite("TLS ClientHello parser")
struct ClientHelloParserTests {
    let parser = ClientHelloParser()

    private func hello(_ sni: String, _ alpn: [String], hasALPN: Bool = true) -> ClientHelloParser.Result {
        .clientHello(.init(serverName: sni, applicationProtocols: alpn, hasALPN: hasALPN))
    }

    @Test func readsServerNameAndALPN() {
        let bytes = ClientHelloBytes(serverName: "api.example.com", alpn: ["h2", "http/1.1"]).records()
        #expect(parser.parse(bytes) == hello("api.example.com", ["h2", "http/1.1"]))
    }

    @Test func helloWithoutExtensionsOrWithoutSNI() {
        #expect(parser.parse(ClientHelloBytes(withExtensions: false).records()) == hello("", [], hasALPN: false))
        #expect(parser.parse(ClientHelloBytes(alpn: ["h2"]).records()) == hello("", ["h2"]))
        #expect(parser.parse(ClientHelloBytes(serverName: "a.test").records()) == hello("a.test", [], hasALPN: false))
    }

    @Test func everyPrefixOfAHelloAsksForMore() {
        let bytes = ClientHelloBytes(serverName: "split.example.com", alpn: ["h2"]).records(recordSize: 40)
        for n in 1..<bytes.count {
            #expect(parser.parse(Array(bytes[..<n])) == .needMoreData, "prefix of \(n) bytes")
        }
        #expect(parser.parse(bytes) == hello("split.example.com", ["h2"]))
    }

    @Test func helloSplitIntoOneByteRecordsAndWithTrailingBytes() {
        // Even the 4-byte handshake header is spread over records here.
        let bytes = ClientHelloBytes(serverName: "tiny.example.com").records(recordSize: 1)
        #expect(parser.parse(bytes) == hello("tiny.example.com", [], hasALPN: false))
        // Bytes after the hello (a pipelining client) do not change the answer.
        let more = ClientHelloBytes(serverName: "x.test").records() + [23, 3, 3, 0, 5, 1, 2, 3]
        #expect(parser.parse(more) == hello("x.test", [], hasALPN: false))
    }

    @Test func plaintextIsDecidedOnTheFirstByte() {
        #expect(parser.parse(Array("G".utf8)) == .notTLS)
        #expect(parser.parse(Array("GET / HTTP/1.1\r\n".utf8)) == .notTLS)
        #expect(parser.parse(Array("PRI * HTTP/2.0\r\n".utf8)) == .notTLS)
        #expect(parser.parse([UInt8]()) == .needMoreData)
        #expect(parser.parse([22]) == .needMoreData)
    }

    @Test func garbageThatStartsLikeTLSIsNotTLS() {
        #expect(parser.parse([22, 0, 0, 0, 5, 1, 2, 3, 4, 5]) == .notTLS, "record version must be 3.x")
        #expect(parser.parse([22, 3, 1, 0x50, 0]) == .notTLS, "record longer than TLS allows")
        #expect(parser.parse([22, 3, 1, 0, 4, 2, 0, 0, 0]) == .notTLS, "a ServerHello is not a ClientHello")
        #expect(parser.parse([22, 3, 1, 0, 5, 1, 0, 0, 1, 0]) == .notTLS, "a one-byte hello body")
        #expect(parser.parse([22, 3, 1, 0, 4, 1, 0x01, 0, 0]) == .notTLS, "hello over BoringSSL's 16 KiB limit")
        var mixed = ClientHelloBytes(serverName: "a.test").records(recordSize: 20)
        mixed[25] = 23  // the second record claims to be application data
        #expect(parser.parse(mixed) == .notTLS)
    }

    @Test func malformedHellosAreNotTLS() {
        var badSession = ClientHelloBytes(serverName: "a.test")
        badSession.sessionID = [UInt8](repeating: 1, count: 33)
        #expect(parser.parse(badSession.records()) == .notTLS)
        let duplicate = ClientHelloBytes(serverName: "a.test", extraExtensions: [(0x002B, [2, 3, 4])])
        #expect(parser.parse(duplicate.records()) == .notTLS, "a repeated extension")
        let emptySNI = ClientHelloBytes(extraExtensions: [(0, u16(3) + [0, 0, 0])])
        #expect(parser.parse(emptySNI.records()) == .notTLS, "an empty host_name")
        // The extensions block claims more bytes than the hello holds. Its length sits after
        // type+length (4), version (2), random (32), session id (1+32), suites (2+4), compression (2).
        var message = ClientHelloBytes(serverName: "a.test").message
        message[80] &+= 1
        let records: [UInt8] = [22, 3, 1] + u16(message.count) + message
        #expect(parser.parse(records) == .notTLS)
    }

    @Test func malformedALPNIsIgnoredLikeEnvoy() {
        // A zero-length protocol name: the hello is TLS, the ALPN list is dropped.
        let bytes = ClientHelloBytes(serverName: "a.test", extraExtensions: [(16, u16(4) + [0, 2, 0x68, 0x32])]).records()
        #expect(parser.parse(bytes) == hello("a.test", [], hasALPN: false))
        let empty = ClientHelloBytes(serverName: "a.test", extraExtensions: [(16, u16(2) + [0, 0])]).records()
        #expect(parser.parse(empty) == hello("a.test", [], hasALPN: false))
    }

    @Test func tooManyEmptyRecordsOrTooManyBytes() {
        let empty: [UInt8] = [22, 3, 1, 0, 0]
        #expect(parser.parse(Array([[UInt8]](repeating: empty, count: 32).joined())) == .needMoreData)
        #expect(parser.parse(Array([[UInt8]](repeating: empty, count: 33).joined())) == .notTLS)
        // A hello dribbled out in one-byte records passes the byte limit before it is whole.
        let small = ClientHelloParser(maxClientHelloSize: 300)
        let dribbled = ClientHelloBytes(serverName: "long.example.com", alpn: ["h2", "http/1.1"]).records(recordSize: 1)
        #expect(dribbled.count > 300)
        #expect(small.parse(Array(dribbled[..<299])) == .needMoreData)
        #expect(small.parse(Array(dribbled[..<300])) == .tooLarge)
    }

    @Test func randomBytesNeverCrash() {
        var rng = SystemRandomNumberGenerator()
        let valid = ClientHelloBytes(serverName: "fuzz.example.com", alpn: ["h2"]).records(recordSize: 64)
        for _ in 0..<2000 {
            var bytes = valid
            for _ in 0..<Int.random(in: 1...6, using: &rng) {
                bytes[Int.random(in: 0..<bytes.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
            }
            bytes = Array(bytes.prefix(Int.random(in: 0...bytes.count, using: &rng)))
            _ = parser.parse(bytes)
            _ = parser.parse(ByteBuffer(bytes: bytes))
        }
    }
}
