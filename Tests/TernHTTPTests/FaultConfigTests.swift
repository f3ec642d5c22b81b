import NIOHTTP1
import SwiftProtobuf
import Testing
@testable import TernConfig
@testable import TernCore
@testable import TernHTTP

/// `HTTPFault` compiled into a `FaultConfig`, and the per-request decisions made from it.
@Suite struct FaultConfigTests {
    typealias Proto = Envoy_Extensions_Filters_Http_Fault_V3_HTTPFault

    let random = WorkerRandom()

    func compile(_ p: Proto, context: CompileContext? = nil) throws -> FaultConfig {
        try FaultConfig(proto: p, path: "f", context: context ?? CompileContext(stats: StatsStore(workers: 1), clusterNames: []))
    }

    func percent(_ n: UInt32, _ d: Envoy_Type_V3_FractionalPercent.DenominatorType = .hundred) -> Envoy_Type_V3_FractionalPercent {
        var p = Envoy_Type_V3_FractionalPercent()
        p.numerator = n
        p.denominator = d
        return p
    }

    func headers(_ pairs: (String, String)...) -> HTTPHeaders { HTTPHeaders(pairs) }

    // MARK: - compile errors and warnings

    @Test func abortWithoutErrorTypeIsAnError() throws {
        var p = Proto()
        p.abort.percentage = percent(100)
        #expect { try compile(p) } throws: { ($0 as? CompileError)?.path == "f.abort" }
    }

    @Test func httpStatusOutsideRangeIsAnError() throws {
        var p = Proto()
        p.abort.httpStatus = 600
        #expect { try compile(p) } throws: { ($0 as? CompileError)?.path == "f.abort.http_status" }
    }

    @Test func zeroFixedDelayIsAnError() throws {
        var p = Proto()
        p.delay.fixedDelay = Google_Protobuf_Duration()
        #expect { try compile(p) } throws: { ($0 as? CompileError)?.path == "f.delay.fixed_delay" }
        p.delay = .init()
        p.delay.percentage = percent(1)
        #expect { try compile(p) } throws: { ($0 as? CompileError)?.path == "f.delay" }
    }

    @Test func rateLimitAndRuntimeKeysWarn() throws {
        var p = Proto()
        p.responseRateLimit.fixedLimit.limitKbps = 1
        p.abortPercentRuntime = "x"
        let context = CompileContext(stats: StatsStore(workers: 1), clusterNames: [])
        _ = try compile(p, context: context)
        #expect(context.warnings.map(\.path) == ["f.response_rate_limit", "f.abort_percent_runtime"])
    }

    // MARK: - aborts

    @Test func fixedHTTPAbortAtHundredPercent() throws {
        var p = Proto()
        p.abort.httpStatus = 503
        p.abort.percentage = percent(100)
        let c = try compile(p)
        for _ in 0..<20 { #expect(c.abortStatus(headers(), random: random)?.http == 503) }
    }

    @Test func absentPercentageNeverFires() throws {
        var p = Proto()
        p.abort.httpStatus = 503
        let c = try compile(p)
        for _ in 0..<100 { #expect(c.abortStatus(headers(), random: random) == nil) }
    }

    @Test func percentageSamplesRoughlyItsShare() throws {
        var p = Proto()
        p.abort.httpStatus = 500
        p.abort.percentage = percent(5000, .tenThousand)
        let c = try compile(p)
        let hits = (0..<10_000).filter { _ in c.abortStatus(headers(), random: random) != nil }.count
        // A binomial draw of 10 000 at p=0.5: far outside 4 000...6 000 means the sampling is broken.
        #expect((4000...6000).contains(hits))
    }

    @Test func grpcAbortAnswersHTTP200() throws {
        var p = Proto()
        p.abort.grpcStatus = 5
        p.abort.percentage = percent(1, .million)
        p.abort.percentage.numerator = 1_000_000
        let s = try compile(p).abortStatus(headers(), random: random)
        #expect(s?.http == 200 && s?.grpc == 5)
    }

    @Test func headerAbortReadsTheHeaders() throws {
        var p = Proto()
        p.abort.headerAbort = .init()
        p.abort.percentage = percent(100)
        let c = try compile(p)
        #expect(c.abortStatus(headers(), random: random) == nil)
        #expect(c.abortStatus(headers(("x-envoy-fault-abort-request", "429")), random: random)?.http == 429)
        // Out of range: ignored, then the gRPC header is consulted.
        #expect(c.abortStatus(headers(("x-envoy-fault-abort-request", "700")), random: random) == nil)
        let g = c.abortStatus(headers(("x-envoy-fault-abort-request", "99"), ("x-envoy-fault-abort-grpc-request", "7")), random: random)
        #expect(g?.http == 200 && g?.grpc == 7)
        // Both: the HTTP status wins.
        let both = c.abortStatus(headers(("x-envoy-fault-abort-request", "418"), ("x-envoy-fault-abort-grpc-request", "7")), random: random)
        #expect(both?.http == 418 && both?.grpc == nil)
    }

    @Test func percentageHeaderLowersButNeverRaises() throws {
        var p = Proto()
        p.abort.headerAbort = .init()
        p.abort.percentage = percent(100)
        let c = try compile(p)
        let lowered = headers(("x-envoy-fault-abort-request", "503"), ("x-envoy-fault-abort-request-percentage", "0"))
        for _ in 0..<50 { #expect(c.abortStatus(lowered, random: random) == nil) }
        p.abort.percentage = percent(0)
        let raised = headers(("x-envoy-fault-abort-request", "503"), ("x-envoy-fault-abort-request-percentage", "100"))
        for _ in 0..<50 { #expect(try compile(p).abortStatus(raised, random: random) == nil) }
    }

    @Test func percentageHeaderIgnoredForFixedFaults() throws {
        var p = Proto()
        p.abort.httpStatus = 503
        p.abort.percentage = percent(100)
        let h = headers(("x-envoy-fault-abort-request-percentage", "0"))
        #expect(try compile(p).abortStatus(h, random: random)?.http == 503)
    }

    // MARK: - delays

    @Test func fixedDelayInMilliseconds() throws {
        var p = Proto()
        p.delay.fixedDelay = .init(seconds: 1, nanos: 500_000_000)
        p.delay.percentage = percent(100)
        #expect(try compile(p).delayMilliseconds(headers(), random: random) == 1500)
    }

    @Test func headerDelay() throws {
        var p = Proto()
        p.delay.headerDelay = .init()
        p.delay.percentage = percent(100)
        let c = try compile(p)
        #expect(c.delayMilliseconds(headers(), random: random) == nil)
        #expect(c.delayMilliseconds(headers(("x-envoy-fault-delay-request", "250")), random: random) == 250)
        #expect(c.delayMilliseconds(headers(("x-envoy-fault-delay-request", "0")), random: random) == nil)
        #expect(c.delayMilliseconds(headers(("x-envoy-fault-delay-request", "abc")), random: random) == nil)
        let off = headers(("x-envoy-fault-delay-request", "250"), ("x-envoy-fault-delay-request-percentage", "0"))
        #expect(c.delayMilliseconds(off, random: random) == nil)
    }

    // MARK: - gRPC answers and stats

    @Test func grpcRequestDetection() {
        #expect(GRPCLocalReply.isGRPC(headers(("content-type", "application/grpc"))))
        #expect(GRPCLocalReply.isGRPC(headers(("content-type", "application/grpc+proto"))))
        #expect(!GRPCLocalReply.isGRPC(headers(("content-type", "application/grpc-web"))))
        #expect(!GRPCLocalReply.isGRPC(headers(("content-type", "text/plain"))))
        #expect(!GRPCLocalReply.isGRPC(headers()))
    }

    @Test func httpStatusMapsToGRPCStatusAsEnvoy() {
        #expect(GRPCStatus.forHTTPStatus(503) == 14)
        #expect(GRPCStatus.forHTTPStatus(404) == 12)
        #expect(GRPCStatus.forHTTPStatus(403) == 7)
        #expect(GRPCStatus.forHTTPStatus(418) == 2)
    }

    @Test func downstreamClusterStatsAreBounded() {
        let store = StatsStore(workers: 2)
        let stats = FaultStats(root: store.root, statPrefix: "ingress")
        for i in 0..<FaultStats.maxDownstreamClusters {
            #expect(stats.downstreamCluster("c\(i)", worker: 0) != nil)
        }
        #expect(stats.downstreamCluster("one-too-many", worker: 0) == nil)
        // A name made on one worker is found from another.
        stats.downstreamCluster("c1", worker: 1)?.abortsInjected.inc(worker: 1)
        #expect(store.counter(StatName(flat: "http.ingress.fault.c1.aborts_injected", extracted: "", tags: [])).value == 1)
    }

    @Test func statPrefixIsTakenFromTheConnectionManagerScope() {
        #expect(FaultFilterFactory.connectionManagerPrefix("http.ingress.") == "ingress")
    }
}
