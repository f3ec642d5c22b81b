import NIOCore
import Testing

@testable import TernHTTP

@Suite("HTTP/1.1 output buffer")
struct HTTP1OutputBufferTests {
    static func storage(_ buffer: ByteBuffer) -> UnsafeRawPointer? {
        buffer.withVeryUnsafeBytes { UnsafeRawPointer($0.baseAddress) }
    }

    @Test("a buffer the channel let go of serves the next message, emptied")
    func reusedOnceReleased() {
        var output = HTTP1OutputBuffer()
        var first = output.take(ByteBufferAllocator(), capacity: 256)
        #expect(first.capacity >= 256)
        first.writeString("HTTP/1.1 200 OK\r\n\r\n")
        let firstStorage = Self.storage(first)
        output.handedOver(first)
        first = ByteBuffer()  // the channel wrote it and dropped it
        let second = output.take(ByteBufferAllocator(), capacity: 256)
        #expect(Self.storage(second) == firstStorage)
        #expect(second.readableBytes == 0)
    }

    @Test("a buffer the channel still holds is never written into: the next message gets new storage")
    func freshWhileHeld() {
        var output = HTTP1OutputBuffer()
        var first = output.take(ByteBufferAllocator(), capacity: 256)
        first.writeString("first")
        output.handedOver(first)
        // `first` stays alive here, as a write queued behind a slow peer does.
        var second = output.take(ByteBufferAllocator(), capacity: 256)
        #expect(Self.storage(second) != Self.storage(first))
        second.writeString("second")
        #expect(first.getString(at: first.readerIndex, length: first.readableBytes) == "first")
    }

    @Test("large buffers are not kept for the next message")
    func largeNotKept() {
        var output = HTTP1OutputBuffer()
        var big = output.take(ByteBufferAllocator(), capacity: HTTP1OutputBuffer.keptCapacity * 2)
        big.writeRepeatingByte(0x61, count: HTTP1OutputBuffer.keptCapacity * 2)
        output.handedOver(big)
        big = ByteBuffer()
        // Fresh storage of the size asked for; the kept one would have kept its capacity.
        let next = output.take(ByteBufferAllocator(), capacity: 256)
        #expect(next.capacity < HTTP1OutputBuffer.keptCapacity)
    }
}
