import NIOCore
import TernNetwork

/// `codec_type: AUTO`, as Envoy does it: over TLS the ALPN protocol the handshake negotiated
/// decides ("h2" or "http/1.1"); otherwise the first bytes of the connection do.
/// The HTTP/2 client preface (`PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n`) selects HTTP/2, anything
/// else HTTP/1.1. The detector then installs the chosen codec behind itself, hands it every
/// byte it saw (the preface included: the HTTP/2 codec checks it) and removes itself, so an HTTP/1.1
/// connection pays for detection once, on its first read, and never per request.
final class HTTPCodecDetector: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    static let preface: [UInt8] = Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8)

    let config: HTTPConnectionManagerConfig
    let connection: DownstreamConnection
    /// The HTTP/1.1 codec installed behind the detector at accept (set right after it).
    var http1: HTTP1ServerConnection!
    /// Bytes of a first read too short to decide (a preface split across reads), or read while
    /// the HTTP/1.1 handlers leave for HTTP/2.
    var buffered: ByteBuffer?
    var switching = false

    init(config: HTTPConnectionManagerConfig, connection: DownstreamConnection) {
        self.config = config
        self.connection = connection
    }

    /// Whether `bytes` is HTTP/2 (true), HTTP/1.1 (false), or too short to tell (nil).
    static func detect(_ bytes: ByteBuffer) -> Bool? {
        let n = min(bytes.readableBytes, preface.count)
        let matches = bytes.withUnsafeReadableBytes { raw in
            (0..<n).allSatisfy { raw[$0] == preface[$0] }
        }
        if !matches { return false }
        return n == preface.count ? true : nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        if var earlier = buffered {
            earlier.writeBuffer(&bytes)
            bytes = earlier
        }
        if switching {
            buffered = bytes
            return
        }
        // Over TLS the negotiated ALPN protocol decides, as in Envoy; without ALPN the preface does.
        let isHTTP2: Bool? = switch connection.tls?.negotiatedProtocol {
        case "h2"?: true
        case "http/1.1"?, "http/1.0"?: false
        default: Self.detect(bytes)
        }
        guard let isHTTP2 else {
            buffered = bytes
            return
        }
        buffered = nil
        if !isHTTP2 {
            http1.codecDetectedHTTP1()
            handOver(bytes, context: context, readComplete: false)
            return
        }
        // Held until the HTTP/1.1 decoder is gone, with whatever else arrives meanwhile.
        switching = true
        buffered = bytes
        http1.yieldToHTTP2().assumeIsolated().whenComplete { [self] result in
            guard case .success = result, context.channel.isActive else {
                context.close(promise: nil)
                return
            }
            do {
                try HTTP2ServerConnection.addHandlers(to: context.pipeline.syncOperations, position: .after(self),
                                                      config: self.config, connection: self.connection, countsConnection: false)
            } catch {
                context.close(promise: nil)
                return
            }
            let held = self.buffered!
            self.buffered = nil
            self.switching = false
            self.handOver(held, context: context, readComplete: true)
        }
    }

    /// `readComplete`: the channel's own read-complete went by while the handlers changed.
    private func handOver(_ bytes: ByteBuffer, context: ChannelHandlerContext, readComplete: Bool) {
        context.fireChannelRead(wrapInboundOut(bytes))
        if readComplete { context.fireChannelReadComplete() }
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        if switching {
            // Closed between the two codecs: neither is there to count the connection's end.
            let s = config.stats
            s.downstreamCxActive.dec(worker: connection.worker.index)
            s.downstreamCxDestroy.inc(worker: connection.worker.index)
        }
        context.fireChannelInactive()
    }
}
