import NIOCore

/// An HTTP/1.1 connection's buffer for the message heads it serializes, used again for the
/// next message once the channel has written the last one and let go of it: one allocation
/// (and its free) less per message. While the channel still holds it (a peer that reads
/// slowly), `take` gets fresh storage, as any write into a shared buffer would.
struct HTTP1OutputBuffer {
    /// Larger buffers (a message with many or long headers) are not kept: an idle keep-alive
    /// connection holds at most this much.
    static let keptCapacity = 2048

    private var last: ByteBuffer?

    /// An empty buffer of at least `capacity` bytes.
    mutating func take(_ allocator: ByteBufferAllocator, capacity: Int) -> ByteBuffer {
        guard var buffer = last else { return allocator.buffer(capacity: capacity) }
        last = nil
        // Storage nothing else holds is kept; otherwise `clear` allocates.
        buffer.clear()
        return buffer
    }

    /// `buffer` (from `take`) went to the channel: it serves the next message if the channel
    /// has let go of it by then.
    mutating func handedOver(_ buffer: ByteBuffer) {
        if buffer.capacity <= Self.keptCapacity { last = buffer }
    }
}
