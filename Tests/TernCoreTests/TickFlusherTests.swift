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

    /// Runs `body` as one task on a fresh loop (with the flusher and the log its connections
    /// write to), lets the loop run `passes` more tasks, and returns the log.
    static func log(passes: Int = 1, _ body: @escaping @Sendable (TickFlusher, Log) -> Void) async throws -> [String] {
        try await withEventLoops(1) { loops in
            let loop = loops[0]
            let log = Log()
            try await loop.submit { body(TickFlusher(eventLoop: loop), log) }.get()
            // The flush task was queued during the submitted task: it has run once the loop
            // answers the next submission.
            for _ in 0..<passes { try await loop.submit {}.get() }
            return log.entries
        }
    }

    @Test func connectionsWrittenInOneTaskAreFlushedTogetherAfterIt() async throws {
        let entries = try await Self.log { flusher, log in
            flusher.flushAtTickEnd(Connection("a", log: log))
            log.entries.append("wrote a")
            flusher.flushAtTickEnd(Connection("b", log: log))
            log.entries.append("wrote b")
        }
        #expect(entries == ["wrote a", "wrote b", "flush a", "flush b"])
    }

    @Test func aConnectionEnteringDuringTheFlushIsFlushedInTheNextPass() async throws {
        let entries = try await Self.log(passes: 2) { flusher, log in
            let a = Connection("a", log: log)
            let b = Connection("b", log: log)
            // a's flush writes to b (a failed write resetting a stream elsewhere, say).
            a.onFlush = { flusher.flushAtTickEnd(b) }
            flusher.flushAtTickEnd(a)
        }
        #expect(entries == ["flush a", "flush b"])
    }

    @Test func eachEntryIsOneFlush() async throws {
        let entries = try await Self.log { flusher, log in
            let a = Connection("a", log: log)
            for _ in 0..<3 { flusher.flushAtTickEnd(a) }
        }
        // Connections keep their own flag to enter once; the flusher does not dedupe.
        #expect(entries == ["flush a", "flush a", "flush a"])
    }
}
