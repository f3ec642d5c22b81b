// A TCP server on 127.0.0.1 port 0 that keeps every byte it receives and never answers: the
// upstream to look at what went over the wire exactly (chunk framing, trailers) when an HTTP
// server's parsed view would hide it.

import NIOCore
import NIOPosix
import Synchronization

/// An in-process upstream that records raw bytes and stays silent.
public final class RawRecordingServer: Sendable {
    /// The port it listens on, chosen by the kernel.
    public let port: Int

    private let channel: Channel
    private let recorder: Recorder

    private init(channel: Channel, port: Int, recorder: Recorder) {
        self.channel = channel
        self.port = port
        self.recorder = recorder
    }

    /// Starts listening.
    public static func start() async throws -> RawRecordingServer {
        let recorder = Recorder()
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 64)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(RecordingHandler(recorder: recorder))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        guard let port = channel.localAddress?.port else { throw HarnessError("recording server has no port") }
        return RawRecordingServer(channel: channel, port: port, recorder: recorder)
    }

    /// Everything received so far, all connections in arrival order.
    public var received: [UInt8] { recorder.bytes.withLock { $0 } }

    /// `received` as text.
    public var receivedText: String { String(decoding: received, as: UTF8.self) }

    /// Stops listening.
    public func stop() async {
        try? await channel.close().get()
    }
}

private final class Recorder: Sendable {
    let bytes = Mutex<[UInt8]>([])
}

private final class RecordingHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let recorder: Recorder

    init(recorder: Recorder) {
        self.recorder = recorder
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        let bytes = buffer.readBytes(length: buffer.readableBytes) ?? []
        recorder.bytes.withLock { $0.append(contentsOf: bytes) }
    }
}
