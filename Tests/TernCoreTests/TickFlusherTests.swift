import NIOCore
import Testing
import TernCore

@Suite struct TickFlusherTests {
    /// Records when it was flushed, and can enter the flusher again from its flush.
    final class Connection: TickFlushable, @unchecked Sendable {
        let name: String
        let log: Log
        var onFlush: (() -> Void)?
        init(_ name: String, log: Log) {
            self.name = name
            self.log = log
        }
        func tickEnded() {
            log.entries.append("flush \(name)")
            onFlush?()
        }
    }

    final class Log: @unchecked Sendable {
        var entries: [String] = []
    }

    @Test func connectionsWrittenInOneTaskAreFlushedTogetherAfterIt() async throws {
        try await withEventLoops(1) { loops in
            let loop = loops[0]
            let log = Log()
            try await loop.submit {
                let flusher = TickFlusher(eventLoop: loop)
                let a = Connection("a", log: log)
                let b = Connection("b", log: log)
                flusher.flushAtTickEnd(a)
                log.entries.append("wrote a")
                flusher.flushAtTickEnd(b)
                log.entries.append("wrote b")
            }.get()
            // The flush task was queued during the submitted task: it has run once the loop
            // answers the next submission.
            try await loop.submit {}.get()
            #expect(log.entries == ["wrote a", "wrote b", "flush a", "flush b"])
        }
    }

    @Test func aConnectionEnteringDuringTheFlushIsFlushedInTheNextPass() async throws {
        try await withEventLoops(1) { loops in
            let loop = loops[0]
            let log = Log()
            try await loop.submit {
                let flusher = TickFlusher(eventLoop: loop)
                let a = Connection("a", log: log)
                let b = Connection("b", log: log)
                // a's flush writes to b (a failed write resetting a stream elsewhere, say).
                a.onFlush = { flusher.flushAtTickEnd(b) }
                flusher.flushAtTickEnd(a)
            }.get()
            try await loop.submit {}.get()
            try await loop.submit {}.get()
            #expect(log.entries == ["flush a", "flush b"])
        }
    }

    @Test func eachEntryIsOneFlush() async throws {
        try await withEventLoops(1) { loops in
            let loop = loops[0]
            let log = Log()
            try await loop.submit {
                let flusher = TickFlusher(eventLoop: loop)
                let a = Connection("a", log: log)
                for _ in 0..<3 { flusher.flushAtTickEnd(a) }
            }.get()
            try await loop.submit {}.get()
            // Connections keep their own flag to enter once; the flusher does not dedupe.
            #expect(log.entries == ["flush a", "flush a", "flush a"])
        }
    }
}
