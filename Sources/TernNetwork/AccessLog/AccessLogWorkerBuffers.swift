import NIOCore

/// One worker's pending access-log lines: a buffer per sink, filled on the worker's loop with no
/// lock and handed to the sink's writer queue when it passes `AccessLogFlusher.flushThreshold`
/// or when the repeating flush timer fires (`--file-flush-interval-msec`). Made on first use
/// through `worker.state(AccessLogWorkerBuffers.self)`.
final class AccessLogWorkerBuffers {
    let eventLoop: any EventLoop
    /// Buffers by sink id.
    private var buffers: [ByteBuffer] = []
    private var sinks: [AccessLogSink?] = []
    /// Sink ids whose buffer holds bytes, so a flush does not scan every sink.
    private var dirty: [Int] = []
    private var timer: RepeatedTask?
    private let reference: AccessLogWorkerBuffersReference

    init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
        self.reference = AccessLogWorkerBuffersReference(eventLoop: eventLoop)
        reference.buffers = self
        AccessLogFlusher.register(reference)
        let interval = AccessLogFlusher.flushInterval
        let ref = reference
        timer = eventLoop.scheduleRepeatedTask(initialDelay: interval, delay: interval) { _ in
            ref.buffers?.flushAll()
        }
    }

    deinit {
        timer?.cancel()
        AccessLogFlusher.unregister(reference)
        // The last reference is going: nothing else can touch the buffers, so hand them over.
        flushAll()
    }

    /// Lets `body` append one line for `sink`, then flushes that sink if its buffer is full.
    func append(to sink: AccessLogSink, _ body: (inout ByteBuffer) -> Void) {
        let id = sink.id
        if id >= buffers.count {
            let missing = id + 1 - buffers.count
            buffers.append(contentsOf: repeatElement(ByteBuffer(), count: missing))
            sinks.append(contentsOf: repeatElement(nil, count: missing))
        }
        if sinks[id] == nil { sinks[id] = sink }
        let wasEmpty = buffers[id].readableBytes == 0
        if wasEmpty, buffers[id].capacity == 0 {
            buffers[id] = ByteBufferAllocator().buffer(capacity: 4096)
        }
        body(&buffers[id])
        if wasEmpty, buffers[id].readableBytes > 0 { dirty.append(id) }
        if buffers[id].readableBytes >= AccessLogFlusher.flushThreshold {
            flush(id)
            dirty.removeAll { $0 == id }
        }
    }

    /// Hands every non-empty buffer to its sink's writer.
    func flushAll() {
        for id in dirty { flush(id) }
        dirty.removeAll(keepingCapacity: true)
    }

    private func flush(_ id: Int) {
        guard buffers[id].readableBytes > 0, let sink = sinks[id] else { return }
        let bytes = buffers[id]
        // Drop our reference so the writer owns the storage; the next line starts a new buffer.
        buffers[id] = ByteBuffer()
        sink.write(bytes)
    }
}

/// A weak, loop-bound handle on one worker's buffers, so the flusher can reach them at shutdown
/// without keeping a finished worker's buffers (or its event loop) alive. Its `buffers` is only
/// read and written on `eventLoop`.
final class AccessLogWorkerBuffersReference: @unchecked Sendable {
    let eventLoop: any EventLoop
    weak var buffers: AccessLogWorkerBuffers?

    init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }
}
