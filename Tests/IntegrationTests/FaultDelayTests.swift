// The fault filter's delays through the real binary: held on the event loop then forwarded,
// followed by an abort, cancelled when the client leaves, and limited by `max_active_faults`.
// Elapsed time is only ever checked from below.

import Foundation
import Testing
import TernTestSupport

@Suite("Fault injection: delays", .requires(.curl), .timeLimit(.minutes(3)), .proxyLogsOnFailure)
struct FaultDelayTests {
    static func config(upstreamPort: Int, fault: String, hcmExtra: String = "") -> String {
        FaultTests.config(upstreamPort: upstreamPort, fault: fault, hcmExtra: hcmExtra)
    }

    @Test("fixed_delay holds the request at least that long, then forwards it (DI)")
    func fixedDelay() async throws {
        let upstream = try await UpstreamServer.start(.respond(body: "ok"))
        let dir = try TemporaryDirectory(prefix: "fault-log")
        defer { dir.remove() }
        let log = dir.file("access.log")
        let config = Self.config(upstreamPort: upstream.port,
                                 fault: "delay: { fixed_delay: 0.8s, percentage: { numerator: 100 } }",
                                 hcmExtra: FaultTests.accessLog(log))
        try await TernProcess.with(config: config, extraArguments: FaultTests.flushArguments) { proxy in
            let port = try await proxy.listenerPort("ingress")
            let started = ContinuousClock.now
            // The body arrives while the headers are held; it follows them once the delay is over.
            let r = try await Curl.request(port: port, "/slow", method: "POST", body: Array("held body".utf8))
            let elapsed = ContinuousClock.now - started
            #expect(r.status == 200 && r.bodyText == "ok", "\(r)")
            #expect(elapsed >= .milliseconds(800), "took \(elapsed)")
            #expect(upstream.requests.map(\.uri) == ["/slow"])
            #expect(upstream.requests.first?.bodyText == "held body")
            #expect(try await proxy.waitForStat("http.ingress.fault.delays_injected", atLeast: 1) == 1)
            #expect(await TextFilePoller.waitForLines(log, count: 1) == ["200 DI"])
        }
        await upstream.stop()
    }

    @Test("a delay followed by an abort: the abort answers after the delay (DI,FI)")
    func delayThenAbort() async throws {
        let upstream = try await UpstreamServer.start(.respond(body: "ok"))
        let config = Self.config(upstreamPort: upstream.port, fault: """
            delay: { fixed_delay: 0.3s, percentage: { numerator: 100 } }
            abort: { http_status: 500, percentage: { numerator: 100 } }
            """)
        try await TernProcess.with(config: config) { proxy in
            let started = ContinuousClock.now
            let r = try await Curl.get(port: try await proxy.listenerPort("ingress"), "/x")
            #expect(r.status == 500 && r.bodyText == "fault filter abort", "\(r)")
            #expect(ContinuousClock.now - started >= .milliseconds(300))
            #expect(try await proxy.waitForStat("http.ingress.fault.aborts_injected", atLeast: 1) == 1)
            #expect(try await proxy.stat("http.ingress.fault.delays_injected") == 1)
            #expect(upstream.requests.isEmpty)
        }
        await upstream.stop()
    }

    /// Sends a request that the fault filter delays by 1 s, lets `leave` end the client's
    /// connection during the delay, and returns what the upstream saw by the time a second,
    /// equally delayed request has come through.
    static func leaveDuringDelay(_ leave: @escaping @Sendable (Int) async throws -> Void) async throws -> [String] {
        let upstream = try await UpstreamServer.start(.respond(body: "ok"))
        let config = Self.config(upstreamPort: upstream.port,
                                 fault: "delay: { fixed_delay: 1s, percentage: { numerator: 100 } }")
        let seen = try await TernProcess.with(config: config) { proxy in
            let port = try await proxy.listenerPort("ingress")
            try await leave(port)
            #expect(try await proxy.waitForStat("http.ingress.downstream_cx_destroy_active_rq", atLeast: 1) == 1)
            // A second request with the same delay does arrive: once it has, the first one's delay
            // (which started earlier) is long over, so had it not been cancelled it would be here too.
            let r = try await Curl.get(port: port, "/stays")
            #expect(r.status == 200, "\(r)")
            // Give a wrongly forwarded first request a moment to land before looking.
            let seen = await upstream.waitForRequests(2, timeout: .seconds(1)).map(\.uri)
            #expect(await waitUntil { (try? await proxy.stat("http.ingress.fault.active_faults")) == 0 })
            return seen
        }
        await upstream.stop()
        return seen
    }

    @Test("a client that resets during the delay: the request never reaches the upstream")
    func resetDuringDelay() async throws {
        let seen = try await Self.leaveDuringDelay { port in
            let client = try await AbortiveConnection.connect(port: port)
            try await client.send("GET /gone HTTP/1.1\r\nhost: x\r\n\r\n")
            try await Self.waitForActiveFault(port: port)
            await client.reset()
        }
        #expect(seen == ["/stays"])
    }

    @Test("a client that closes during the delay: the request never reaches the upstream")
    func closeDuringDelay() async throws {
        let seen = try await Self.leaveDuringDelay { port in
            let client = try await RawConnection.connect(port: port)
            try await client.send("GET /gone HTTP/1.1\r\nhost: x\r\n\r\n")
            try await Self.waitForActiveFault(port: port)
            await client.close()
        }
        #expect(seen == ["/stays"])
    }

    @Test("a body arriving during a delay is held within the buffer limit: reading stops instead of buffering it all")
    func bodyDuringDelayIsBounded() async throws {
        let upstream = try await UpstreamServer.start(.respond(body: "ok"))
        let config = Self.config(upstreamPort: upstream.port,
                                 fault: "delay: { fixed_delay: 2s, percentage: { numerator: 100 } }")
        let size = 48 << 20
        try await TernProcess.with(config: config) { proxy in
            let port = try await proxy.listenerPort("ingress")
            let before = try #require(Self.peakResidentKB(proxy.pid))
            let client = try await RawConnection.connect(port: port)
            try await client.send("POST /upload HTTP/1.1\r\nhost: x\r\ncontent-length: \(size)\r\n\r\n")
            try await Self.waitForActiveFault(port: port)
            // The whole body is offered at once while the headers are held; Tern may take only
            // about its buffer limit (1 MiB) plus socket buffers until the delay ends.
            try await client.send([UInt8](repeating: 0x61, count: size))
            let response = try await client.readResponses(1, timeout: .seconds(60))
            #expect(response.responses.first?.status == 200)
            #expect(upstream.requests.first?.body.count == size, "the held body arrives whole")
            let after = try #require(Self.peakResidentKB(proxy.pid))
            #expect(after - before < 24 << 10, "peak RSS grew by \(after - before) KiB for a \(size >> 20) MiB body")
            await client.close()
        }
        await upstream.stop()
    }

    /// A process's peak resident set (`VmHWM`) in KiB.
    static func peakResidentKB(_ pid: Int32) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }) else { return nil }
        return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
    }

    /// Waits until the proxy of the current test counts one active fault.
    static func waitForActiveFault(port: Int) async throws {
        let proxy = try #require(TernProcess.current)
        #expect(try await proxy.waitForStat("http.ingress.fault.active_faults", atLeast: 1) == 1)
    }

    @Test("max_active_faults: over the limit a request goes through undelayed, counted in faults_overflow")
    func maxActiveFaults() async throws {
        let upstream = try await UpstreamServer.start(.respond(body: "ok"))
        let config = Self.config(upstreamPort: upstream.port, fault: """
            max_active_faults: 1
            delay: { header_delay: {}, percentage: { numerator: 100 } }
            """)
        try await TernProcess.with(config: config) { proxy in
            let port = try await proxy.listenerPort("ingress")
            let held = try await RawConnection.connect(port: port)
            try await held.send("GET /held HTTP/1.1\r\nhost: x\r\nx-envoy-fault-delay-request: 3000\r\n\r\n")
            #expect(try await proxy.waitForStat("http.ingress.fault.active_faults", atLeast: 1) == 1)
            let second = try await Curl.get(port: port, "/second", headers: ["x-envoy-fault-delay-request: 3000"])
            #expect(second.status == 200, "\(second)")
            #expect(try await proxy.stat("http.ingress.fault.faults_overflow") == 1)
            #expect(try await proxy.stat("http.ingress.fault.delays_injected") == 1)
            #expect(upstream.requests.first?.uri == "/second")
            // The held request still arrives after its delay.
            let read = try await held.readResponses(1, timeout: .seconds(15))
            #expect(read.responses.first?.status == 200, "\(read.text)")
            await held.close()
            #expect(upstream.requests.map(\.uri) == ["/second", "/held"])
        }
        await upstream.stop()
    }
}
