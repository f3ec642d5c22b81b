/// `envoy.access_loggers.file`, `.stdout` and `.stderr`: formats a record into the worker's
/// buffer for its sink. The bytes reach the file when the worker's buffer is flushed (timer,
/// 64 KiB, or `AccessLogFlusher.flushAll(in:)`), never on the event loop.
package struct FileAccessLogger: AccessLogger {
    package let format: AccessLogFormat
    package let sink: AccessLogSink

    package init(format: AccessLogFormat, sink: AccessLogSink) {
        self.format = format
        self.sink = sink
    }

    public func log(_ record: any AccessLogRecord, worker: Worker) {
        let buffers = worker.state(AccessLogWorkerBuffers.self) {
            AccessLogWorkerBuffers(eventLoop: worker.eventLoop)
        }
        buffers.append(to: sink) { format.write(record, into: &$0) }
    }
}
