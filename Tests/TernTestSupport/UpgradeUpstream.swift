// An upstream for HTTP Upgrade (WebSocket) tests, on 127.0.0.1 port 0: it reads one request head
// off the raw socket; an `upgrade: websocket` request gets `101 Switching Protocols` and from then
// on every byte is echoed back unchanged (and recorded), anything else gets a plain 200. It
// speaks no WebSocket framing: a proxy must pass the upgraded bytes through untouched, so raw
// bytes prove more than frames would.

import NIOCore
import NIOPosix
import Synchronization

/// An in-process upgrade-and-echo upstream.
public final class UpgradeUpstream: Sendable {
    /// The port it listens on, chosen by the kernel.
    public let port: Int

    private let channel: Channel
    private let state: UpgradeUpstreamState

    private init(channel: Channel, port: Int, state: UpgradeUpstreamState) {
        self.channel = channel
        self.port = port
        self.state = state
    }

    /// Starts the server; `greeting` goes out in the same write as the 101, as a server that
    /// speaks first on the upgraded connection sends it.
    public static func start(greeting: [UInt8] = []) async throws -> UpgradeUpstream {
        let state = UpgradeUpstreamState(greeting: greeting)
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 64)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(UpgradeUpstreamHandler(state: state))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        guard let port = channel.localAddress?.port else { throw HarnessError("upgrade upstream has no port") }
        return UpgradeUpstream(channel: channel, port: port, state: state)
    }

    /// Stops listening.
    public func stop() async {
        try? await channel.close().get()
    }

    /// Request heads received, as text, in arrival order.
    public var requestHeads: [String] { state.values.withLock { $0.heads } }
    /// Connections that were switched to echoing.
    public var upgradedCount: Int { state.values.withLock { $0.upgraded.count } }
    /// Upgraded connections that have closed since.
    public var closedUpgradedCount: Int { state.values.withLock { $0.closed } }
    /// Every byte received after the upgrade, over all connections, in arrival order per connection.
    public var tunnelBytes: [UInt8] { state.values.withLock { $0.tunnelBytes } }

    /// Closes every upgraded connection from this side.
    public func closeUpgradedConnections() async {
        let channels = state.values.withLock { Array($0.upgraded.values) }
        for channel in channels { try? await channel.close().get() }
    }
}

/// What the handlers share with the test.
final class UpgradeUpstreamState: Sendable {
    struct Values {
        var heads: [String] = []
        var upgraded: [ObjectIdentifier: Channel] = [:]
        var closed = 0
        var tunnelBytes: [UInt8] = []
    }

    let values = Mutex(Values())
    let greeting: [UInt8]

    init(greeting: [UInt8]) { self.greeting = greeting }
}

/// One connection: head first, then echo; confined to its event loop.
final class UpgradeUpstreamHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let state: UpgradeUpstreamState
    private var head: [UInt8] = []
    private var upgraded = false

    init(state: UpgradeUpstreamState) {
        self.state = state
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        let bytes = buffer.readBytes(length: buffer.readableBytes) ?? []
        if upgraded {
            echo(bytes, context: context)
            return
        }
        head += bytes
        guard let end = HTTPResponseParser.find([13, 10, 13, 10], in: head, from: 0) else { return }
        let text = String(decoding: head[..<end], as: UTF8.self)
        let rest = Array(head[(end + 4)...])
        head = []
        state.values.withLock { $0.heads.append(text) }
        let wantsWebSocket = text.split(separator: "\r\n").dropFirst().contains { line in
            let parts = line.split(separator: ":", maxSplits: 1)
            return parts.count == 2 && parts[0].lowercased() == "upgrade"
                && parts[1].trimmingCharacters(in: .whitespaces).lowercased() == "websocket"
        }
        guard wantsWebSocket else {
            let body = "no upgrade asked"
            context.writeAndFlush(wrapOutboundOut(ByteBuffer(string:
                "HTTP/1.1 200 OK\r\ncontent-length: \(body.utf8.count)\r\nx-upstream-name: upgrade\r\n\r\n\(body)")),
                promise: nil)
            return
        }
        upgraded = true
        let channel = context.channel
        state.values.withLock { $0.upgraded[ObjectIdentifier(channel)] = channel }
        var switching = ByteBuffer(string:
            "HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: Upgrade\r\n"
                + "sec-websocket-accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nx-upstream-name: upgrade\r\n\r\n")
        switching.writeBytes(state.greeting)
        context.write(wrapOutboundOut(switching), promise: nil)
        if rest.isEmpty {
            context.flush()
        } else {
            echo(rest, context: context)
        }
    }

    private func echo(_ bytes: [UInt8], context: ChannelHandlerContext) {
        state.values.withLock { $0.tunnelBytes += bytes }
        context.writeAndFlush(wrapOutboundOut(ByteBuffer(bytes: bytes)), promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        if upgraded {
            let id = ObjectIdentifier(context.channel)
            state.values.withLock {
                $0.closed += 1
                $0.upgraded[id] = nil
            }
        }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }
}
