import NIOCore
import SwiftProtobuf
import TernConfig
import TernNetwork

/// A network filter for tests: greets each connection with `<greeting> <chain name> <worker>\n`,
/// and on drain writes `draining\n` and closes, so tests can see which config and worker served
/// a connection and when it was drained.
struct GreeterFactory: NetworkFilterFactory {
    let greeting: String

    func addHandlers(to channel: any Channel, connection: DownstreamConnection) throws {
        let line = "\(greeting) \(connection.filterChainName) \(connection.worker.index)\n"
        try channel.pipeline.syncOperations.addHandler(GreeterHandler(line: line, connection: connection))
    }

    /// `test.greeter`, configured with a `google.protobuf.StringValue` greeting.
    static let registration = NetworkFilterRegistration(name: "test.greeter", configType: Google_Protobuf_StringValue.self) {
        any, path, _ in
        do {
            return GreeterFactory(greeting: try Google_Protobuf_StringValue(unpackingAny: any).value)
        } catch {
            throw CompileError(path, "\(error)")
        }
    }
}

/// Writes the greeting once active; answers a drain with `draining` and a close.
final class GreeterHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    private let line: String
    private let connection: DownstreamConnection
    private var greeted = false

    init(line: String, connection: DownstreamConnection) {
        self.line = line
        self.connection = connection
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let loopContext = context
        connection.onDrain = {
            loopContext.writeAndFlush(NIOAny(loopContext.channel.allocator.buffer(string: "draining\n")), promise: nil)
            loopContext.close(promise: nil)
        }
        if context.channel.isActive { greet(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        greet(context)
        context.fireChannelActive()
    }

    private func greet(_ context: ChannelHandlerContext) {
        guard !greeted else { return }
        greeted = true
        context.writeAndFlush(NIOAny(context.channel.allocator.buffer(string: line)), promise: nil)
    }
}
