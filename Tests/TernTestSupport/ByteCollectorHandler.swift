// The channel handler behind RawConnection: it keeps every byte and wakes readers.

import Foundation
import NIOCore

/// Accumulates every inbound byte and completes readers' promises when their condition holds.
final class ByteCollectorHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private var received: [UInt8] = []
    private var peerClosed = false
    private var wasReset = false
    private var waiters: [(isEnough: ([UInt8]) -> Bool, promise: EventLoopPromise<RawRead>)] = []

    func addWaiter(_ isEnough: @escaping ([UInt8]) -> Bool, promise: EventLoopPromise<RawRead>) {
        waiters.append((isEnough, promise))
        check()
    }

    func timeOut(_ promise: EventLoopPromise<RawRead>) {
        guard let index = waiters.firstIndex(where: { $0.promise.futureResult === promise.futureResult })
        else { return }
        waiters.remove(at: index)
        promise.succeed(snapshot(timedOut: true))
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        received.append(contentsOf: buffer.readBytes(length: buffer.readableBytes) ?? [])
        check()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .some(.inputClosed) = event as? ChannelEvent {
            peerClosed = true
            check()
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        if let error = error as? IOError, error.errnoCode == ECONNRESET {
            wasReset = true
        }
        peerClosed = true
        check()
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        peerClosed = true
        check()
        context.fireChannelInactive()
    }

    private func check() {
        let bytes = received
        var done: [EventLoopPromise<RawRead>] = []
        waiters.removeAll { waiter in
            guard peerClosed || waiter.isEnough(bytes) else { return false }
            done.append(waiter.promise)
            return true
        }
        for promise in done { promise.succeed(snapshot(timedOut: false)) }
    }

    private func snapshot(timedOut: Bool) -> RawRead {
        RawRead(bytes: received, peerClosed: peerClosed, wasReset: wasReset, timedOut: timedOut)
    }
}
