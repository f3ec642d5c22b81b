// A bounded HTTP/1.1 load for tests such as "zero failed requests during a reload": a few client
// loops, each sending GETs back to back on its own keep-alive connection until told to stop.
// A loop honours `connection: close` by opening a fresh connection, as a well-behaved client
// does; everything else counts as a failure: a refused connect, a connection closed or reset
// with a request outstanding, a timeout, or a status other than the expected one.

import Synchronization

/// What a load run saw.
public struct LoadReport: Sendable, CustomStringConvertible {
    /// Responses with the expected status.
    public var succeeded = 0
    /// Requests that failed, in all.
    public var failed = 0
    /// The first few failures, described.
    public var failures: [String] = []
    /// Responses by status.
    public var statuses: [Int: Int] = [:]
    /// Responses by the upstream's `x-upstream-name` header ("-" when absent).
    public var byUpstream: [String: Int] = [:]
    /// Connections the loops opened.
    public var connections = 0
    /// Responses that carried `connection: close`.
    public var closeRequested = 0

    public var description: String {
        "\(succeeded) succeeded, \(failed) failed over \(connections) connections "
            + "(statuses \(statuses.sorted { $0.key < $1.key }), upstreams \(byUpstream.sorted { $0.key < $1.key }), "
            + "connection: close \(closeRequested)); first failures: \(failures)"
    }

    mutating func merge(_ other: LoadReport) {
        succeeded += other.succeeded
        failed += other.failed
        failures += other.failures.prefix(max(0, 20 - failures.count))
        statuses.merge(other.statuses, uniquingKeysWith: +)
        byUpstream.merge(other.byUpstream, uniquingKeysWith: +)
        connections += other.connections
        closeRequested += other.closeRequested
    }
}

/// A running load; `stop()` ends it and returns the report.
public final class KeepAliveLoad: Sendable {
    private let stopFlag: StopFlag
    private let task: Task<LoadReport, Never>

    private init(stopFlag: StopFlag, task: Task<LoadReport, Never>) {
        self.stopFlag = stopFlag
        self.task = task
    }

    /// Starts `connections` client loops against `127.0.0.1:port`, each requesting `path` until
    /// `stop()` is called or `maxDuration` has passed.
    public static func start(
        port: Int, path: String = "/", connections: Int = 4, expectedStatus: Int = 200,
        maxDuration: Duration = .seconds(20)
    ) -> KeepAliveLoad {
        let flag = StopFlag()
        let task = Task {
            let deadline = ContinuousClock.now + maxDuration
            return await withTaskGroup(of: LoadReport.self) { group in
                for _ in 0..<connections {
                    group.addTask {
                        await loop(port: port, path: path, expectedStatus: expectedStatus, deadline: deadline,
                                   flag: flag)
                    }
                }
                var total = LoadReport()
                for await report in group { total.merge(report) }
                return total
            }
        }
        return KeepAliveLoad(stopFlag: flag, task: task)
    }

    /// Stops every loop after its current request and returns what they saw.
    public func stop() async -> LoadReport {
        stopFlag.set()
        return await task.value
    }

    private static func loop(
        port: Int, path: String, expectedStatus: Int, deadline: ContinuousClock.Instant, flag: StopFlag
    ) async -> LoadReport {
        var report = LoadReport()
        var client: KeepAliveClient?
        var sent = 0
        func fail(_ text: String) {
            report.failed += 1
            if report.failures.count < 20 { report.failures.append(text) }
        }
        while !flag.isSet && ContinuousClock.now < deadline {
            if client == nil {
                do {
                    client = try await KeepAliveClient.connect(port: port)
                    report.connections += 1
                } catch {
                    fail("connect: \(error)")
                    try? await Task.sleep(for: .milliseconds(10))
                    continue
                }
            }
            guard let connection = client else { continue }
            sent += 1
            do {
                let response = try await connection.request("GET", path)
                report.statuses[response.status, default: 0] += 1
                report.byUpstream[response.headers["x-upstream-name"] ?? "-", default: 0] += 1
                if response.status == expectedStatus {
                    report.succeeded += 1
                } else {
                    fail("request \(sent): status \(response.status) \(response.bodyText.prefix(120))")
                }
                if response.closesConnection {
                    report.closeRequested += 1
                    await connection.close()
                    client = nil
                }
            } catch {
                fail("request \(sent) (connection \(report.connections) of this loop): \(error)")
                await connection.close()
                client = nil
            }
        }
        if let client { await client.close() }
        return report
    }
}

/// A flag set once from any task and read by the loops.
private final class StopFlag: Sendable {
    private let value = Atomic(false)

    var isSet: Bool { value.load(ordering: .relaxed) }
    func set() { value.store(true, ordering: .relaxed) }
}
