import NIOCore
internal import NIOSSL
internal import NIOTLS

/// Sits right behind NIOSSL's handler and turns the handshake's outcome into Envoy's behaviour:
/// success is counted (`ssl.handshake`, `ssl.no_certificate`) after the peer certificate's SANs
/// pass `match_typed_subject_alt_names`, and the connection's TLS facts are handed on; a failure
/// is counted by kind and the connection closed, never surfacing as an error to the codec.
/// After the handshake it leaves the pipeline, so application bytes never pass through it.
final class TLSHandshakeHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer

    private let stats: TLSStats
    private let worker: Int?
    private let subjectAltNameMatchers: [SubjectAltNameMatcher]
    private let onEstablished: ((TLSConnectionInfo) -> Void)?
    /// Completed when the handshake ends (upstream connects wait on it).
    let done: EventLoopPromise<Void>
    private var finished = false
    /// The handshake failed (or SAN matching refused the peer): NIOSSL's close waits for the
    /// peer's close_notify, and plaintext it already decrypted must never reach the codec.
    private var refused = false
    /// Upstream: `channelActive` is held until the handshake succeeded, so handlers above
    /// (tcp_proxy) treat the connection as connected only when it can carry their bytes.
    private let holdsChannelActive: Bool
    private var heldChannelActive = false

    init(stats: TLSStats, worker: Int?, subjectAltNameMatchers: [SubjectAltNameMatcher],
         done: EventLoopPromise<Void>, holdsChannelActive: Bool = false,
         onEstablished: ((TLSConnectionInfo) -> Void)?) {
        self.holdsChannelActive = holdsChannelActive
        self.stats = stats
        self.worker = worker
        self.subjectAltNameMatchers = subjectAltNameMatchers
        self.done = done
        self.onEstablished = onEstablished
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard !finished, let tls = event as? TLSUserEvent, case .handshakeCompleted(let negotiated) = tls else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        let ssl = try? context.pipeline.syncOperations.handler(type: NIOSSLHandler.self)
        let peer = ssl?.peerCertificate
        let names = peer.map(PeerCertificateReader.subjectAltNames) ?? PeerSubjectAltNames()
        guard SubjectAltNameMatcher.accepts(subjectAltNameMatchers, names) else {
            fail(.subjectAltNameMismatch, context: context)
            return
        }
        finished = true
        TLSStats.inc(stats.handshake, worker: worker)
        if let version = ssl?.tlsVersion, let counter = stats.versions[Self.versionName(version)] {
            TLSStats.inc(counter, worker: worker)
        }
        if peer == nil { TLSStats.inc(stats.noCertificate, worker: worker) }
        let info = TLSConnectionInfo(
            negotiatedProtocol: negotiated, version: ssl?.tlsVersion.map(Self.versionName),
            peerCertificatePresented: peer != nil, peerSubjectAltNames: names,
            peerSubject: peer.map(PeerCertificateReader.subject) ?? "")
        onEstablished?(info)
        done.succeed(())
        if heldChannelActive { context.fireChannelActive() }
        context.fireUserInboundEventTriggered(event)
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if refused { return }
        context.fireChannelRead(data)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if refused { return }
        guard !finished, let failure = TLSHandshakeFailure.classify(error) else {
            context.fireErrorCaught(error)
            return
        }
        fail(failure, context: context)
    }

    func channelActive(context: ChannelHandlerContext) {
        guard holdsChannelActive, !finished else {
            context.fireChannelActive()
            return
        }
        heldChannelActive = true
    }

    func channelInactive(context: ChannelHandlerContext) {
        if !finished {
            finished = true
            done.fail(TLSHandshakeFailure(kind: .other, reason: "connection closed during the TLS handshake"))
        }
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        // A connect that never became active tears the pipeline down without channelInactive.
        if !finished {
            finished = true
            done.fail(TLSHandshakeFailure(kind: .other, reason: "connection closed during the TLS handshake"))
        }
    }

    private func fail(_ failure: TLSHandshakeFailure, context: ChannelHandlerContext) {
        finished = true
        refused = true
        failure.count(on: stats, worker: worker)
        done.fail(failure)
        // Closed below NIOSSL, as Envoy does: a refused peer gets no graceful TLS shutdown
        // (NIOSSL's would wait up to its shutdown timeout for the peer's close_notify).
        if let ssl = try? context.pipeline.syncOperations.context(handlerType: NIOSSLHandler.self) {
            ssl.close(promise: nil)
        } else {
            context.close(promise: nil)
        }
    }

    static func versionName(_ v: TLSVersion) -> String {
        switch v {
        case .tlsv1: "TLSv1"
        case .tlsv11: "TLSv1.1"
        case .tlsv12: "TLSv1.2"
        case .tlsv13: "TLSv1.3"
        }
    }
}
