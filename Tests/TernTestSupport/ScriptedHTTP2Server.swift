// An h2c server that speaks just enough HTTP/2 to answer each request with a scripted frame: a
// GOAWAY, a RST_STREAM, a HEADERS frame with `:status: 500`, or a HEADERS frame with a given
// block. It sends its SETTINGS and a SETTINGS ACK once the client preface is in, answers once a
// request's HEADERS arrived (so the stream is open), and keeps the connection open for the client
// to close.

import NIOCore
import NIOPosix
import Synchronization

/// An in-process h2c server with one scripted answer per connection.
public final class ScriptedHTTP2Server: Sendable {
    /// What the server answers the client's stream 1 with.
    public enum Answer: Sendable, CustomStringConvertible {
        /// GOAWAY with last stream 0 and this error code (2: INTERNAL_ERROR).
        case goAway(errorCode: UInt32)
        /// RST_STREAM on the request's stream with this error code.
        case reset(errorCode: UInt32)
        /// A trailers-only response `:status: 500` (HPACK static index 14), ending the stream.
        case status500
        /// A response HEADERS frame with this header block, ending the stream.
        case headers(HPACKLiteralBlock)
        /// A response HEADERS frame with this block, then one DATA frame with `body` ending the stream.
        case headersAndData(HPACKLiteralBlock, body: [UInt8])

        public var description: String {
            switch self {
            case .goAway(let code): "GOAWAY(\(code))"
            case .reset(let code): "RST_STREAM(\(code))"
            case .status500: ":status 500"
            case .headers: "HEADERS(scripted block)"
            case .headersAndData(_, let body): "HEADERS(scripted block) + DATA(\(body.count) bytes)"
            }
        }

        func frame(stream: UInt32) -> [UInt8] {
            switch self {
            case .goAway(let code): Self.frame(type: 7, flags: 0, stream: 0, payload: Self.be32(0) + Self.be32(code))
            case .reset(let code): Self.frame(type: 3, flags: 0, stream: stream, payload: Self.be32(code))
            case .status500: Self.frame(type: 1, flags: 0x05, stream: stream, payload: [0x8E])
            case .headers(let block): Self.frame(type: 1, flags: 0x05, stream: stream, payload: block.bytes)
            case .headersAndData(let block, let body):
                Self.frame(type: 1, flags: 0x04, stream: stream, payload: block.bytes) + Self.frame(type: 0, flags: 0x01, stream: stream, payload: body)
            }
        }

        static func be32(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8((v >> 16) & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)] }

        static func frame(type: UInt8, flags: UInt8, stream: UInt32, payload: [UInt8]) -> [UInt8] {
            let n = UInt32(payload.count)
            return [UInt8(n >> 16), UInt8((n >> 8) & 0xFF), UInt8(n & 0xFF), type, flags] + be32(stream) + payload
        }
    }

    public let port: Int
    private let channel: Channel
    private let answered: AnsweredCounter

    private init(channel: Channel, port: Int, answered: AnsweredCounter) {
        self.channel = channel
        self.port = port
        self.answered = answered
    }

    /// Starts the server; every connection gets `answer`.
    public static func start(_ answer: Answer) async throws -> ScriptedHTTP2Server {
        let answered = AnsweredCounter()
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ScriptedHTTP2Handler(answer: answer, answered: answered))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        guard let port = channel.localAddress?.port else { throw HarnessError("scripted HTTP/2 server has no port") }
        return ScriptedHTTP2Server(channel: channel, port: port, answered: answered)
    }

    /// Requests that got the scripted answer.
    public var answeredCount: Int { answered.count.load(ordering: .relaxed) }

    /// Stops listening.
    public func stop() async {
        try? await channel.close().get()
    }
}

/// Shared by the server and its connections' handlers.
final class AnsweredCounter: Sendable {
    let count = Atomic<Int>(0)
}

/// Reads frames after the client preface and answers every HEADERS frame (a new request).
final class ScriptedHTTP2Handler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let answer: ScriptedHTTP2Server.Answer
    private let answered: AnsweredCounter
    private var bytes: [UInt8] = []
    /// Where the next unparsed frame starts, after the 24-byte client preface.
    private var offset = 24
    private var sentSettings = false

    init(answer: ScriptedHTTP2Server.Answer, answered: AnsweredCounter) {
        self.answer = answer
        self.answered = answered
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        bytes += unwrapInboundIn(data).readableBytesView
        var out: [UInt8] = []
        // Its SETTINGS (and the ACK of the client's, which follows the preface) as soon as the
        // preface is in: a client may wait for them before it opens a stream.
        if !sentSettings, bytes.count >= 24 {
            sentSettings = true
            out += ScriptedHTTP2Server.Answer.frame(type: 4, flags: 0, stream: 0, payload: [])
            out += ScriptedHTTP2Server.Answer.frame(type: 4, flags: 1, stream: 0, payload: [])
        }
        while bytes.count >= offset + 9 {
            let length = Int(bytes[offset]) << 16 | Int(bytes[offset + 1]) << 8 | Int(bytes[offset + 2])
            guard bytes.count >= offset + 9 + length else { break }
            let stream = (UInt32(bytes[offset + 5]) & 0x7F) << 24 | UInt32(bytes[offset + 6]) << 16
                | UInt32(bytes[offset + 7]) << 8 | UInt32(bytes[offset + 8])
            if bytes[offset + 3] == 1 {
                out += answer.frame(stream: stream)
                answered.count.add(1, ordering: .relaxed)
            }
            offset += 9 + length
        }
        if !out.isEmpty {
            context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(bytes: out)), promise: nil)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
