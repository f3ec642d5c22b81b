import Foundation
import NIOCore
import NIOPosix
import SwiftProtobuf
import TernConfig
import TernCore
import Testing
@testable import TernNetwork

@Suite("Access log compiler and sinks", .serialized)
struct AccessLogCompilerTests {
    private func context() -> CompileContext { CompileContext(stats: StatsStore(workers: 1), clusterNames: []) }

    @Test func fileLoggerWritesThroughWorkerBuffers() async throws {
        let path = AccessLogProtos.temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let loggers = try AccessLogCompiler.compile([try AccessLogProtos.file(path: path, text: "%RESPONSE_CODE% %REQ(:PATH)%\n")],
                                                    path: "hcm.access_log", context: context())
        #expect(loggers.count == 1)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = group.next()
        let worker = try await loop.submit {
            let w = Worker(index: 0, eventLoop: loop)
            for i in 0..<3 {
                let r = TestAccessLogRecord.http()
                r.responseCode = 200 + i
                loggers[0].log(r, worker: w)
            }
            return NIOLoopBound(w, eventLoop: loop)
        }.get()
        // Buffered on the worker until a flush: nothing written yet (the timer is 10 s).
        #expect(AccessLogProtos.read(path).isEmpty)
        await AccessLogFlusher.flushAll(in: group)
        #expect(AccessLogProtos.read(path) == "200 /api/v1?x=1\n201 /api/v1?x=1\n202 /api/v1?x=1\n")
        _ = worker
        try await group.shutdownGracefully()
    }

    @Test func bigBuffersFlushWithoutWaitingForTheTimer() async throws {
        let path = AccessLogProtos.temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let loggers = try AccessLogCompiler.compile([try AccessLogProtos.file(path: path, text: "%REQ(USER-AGENT)%\n")],
                                                    path: "x", context: context())
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = group.next()
        let line = String(repeating: "a", count: 1023)
        let worker = try await loop.submit {
            let w = Worker(index: 0, eventLoop: loop)
            let r = TestAccessLogRecord()
            r.requestHeaders["user-agent"] = line
            for _ in 0..<(AccessLogFlusher.flushThreshold / 1024) { loggers[0].log(r, worker: w) }
            return NIOLoopBound(w, eventLoop: loop)
        }.get()
        #expect(await eventually { AccessLogProtos.read(path).utf8.count == AccessLogFlusher.flushThreshold })
        _ = worker
        try await group.shutdownGracefully()
    }

    @Test func timerFlushesAtTheConfiguredInterval() async throws {
        let path = AccessLogProtos.temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let loggers = try AccessLogCompiler.compile([try AccessLogProtos.file(path: path, text: "%RESPONSE_CODE%\n")],
                                                    path: "x", context: context())
        AccessLogFlusher.flushInterval = .milliseconds(50)
        defer { AccessLogFlusher.flushInterval = .milliseconds(10_000) }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = group.next()
        let worker = try await loop.submit {
            let w = Worker(index: 0, eventLoop: loop)
            loggers[0].log(TestAccessLogRecord.http(), worker: w)
            return NIOLoopBound(w, eventLoop: loop)
        }.get()
        #expect(await eventually { AccessLogProtos.read(path) == "200\n" })
        _ = worker
        try await group.shutdownGracefully()
    }

    @Test func streamLoggersAndSharedSinks() throws {
        var stdout = Envoy_Config_Accesslog_V3_AccessLog()
        stdout.typedConfig = try Google_Protobuf_Any(message: Envoy_Extensions_AccessLoggers_Stream_V3_StdoutAccessLog())
        var stderr = Envoy_Config_Accesslog_V3_AccessLog()
        var stderrConfig = Envoy_Extensions_AccessLoggers_Stream_V3_StderrAccessLog()
        stderrConfig.logFormat.textFormat = "%PROTOCOL%\n"
        stderr.typedConfig = try Google_Protobuf_Any(message: stderrConfig)
        let loggers = try AccessLogCompiler.compile([stdout, stderr, try AccessLogProtos.file(path: "/dev/stdout")],
                                                    path: "x", context: context())
        let sinks = loggers.compactMap { ($0 as? FileAccessLogger)?.sink }
        #expect(sinks.map(\.name) == ["/dev/stdout", "/dev/stderr", "/dev/stdout"])
        #expect(sinks[0] === sinks[2])
    }

    @Test func errorsNameThePath() throws {
        let ctx = context()
        var unknown = Envoy_Config_Accesslog_V3_AccessLog()
        unknown.typedConfig = try Google_Protobuf_Any(message: Google_Protobuf_Duration(seconds: 1))
        let e1 = #expect(throws: CompileError.self) {
            try AccessLogCompiler.compile([unknown], path: "tcp.access_log", context: ctx)
        }
        #expect(e1?.path == "tcp.access_log[0].typed_config")
        #expect(e1?.message.contains("unknown access logger type") == true)

        let e2 = #expect(throws: CompileError.self) {
            try AccessLogCompiler.compile([Envoy_Config_Accesslog_V3_AccessLog()], path: "a", context: ctx)
        }
        #expect(e2?.path == "a[0].typed_config")

        let e3 = #expect(throws: CompileError.self) {
            try AccessLogCompiler.compile([try AccessLogProtos.file(path: "/tmp/x.log", text: "%BOGUS%")], path: "a", context: ctx)
        }
        #expect(e3?.path == "a[0].typed_config.log_format.text_format")

        let e4 = #expect(throws: CompileError.self) {
            try AccessLogCompiler.compile([try AccessLogProtos.file(path: "")], path: "a", context: ctx)
        }
        #expect(e4?.path == "a[0].typed_config.path")

        let e5 = #expect(throws: CompileError.self) {
            try AccessLogCompiler.compile([try AccessLogProtos.file(path: "/nonexistent-dir/x/y.log")], path: "a", context: ctx)
        }
        #expect(e5?.path == "a[0].typed_config.path")
    }

    @Test func filtersAndUnimplementedCommandsWarn() throws {
        let ctx = context()
        var log = try AccessLogProtos.file(path: "/dev/stderr", text: "%VIRTUAL_CLUSTER_NAME%\n")
        log.filter.responseFlagFilter.flags = ["UF"]
        _ = try AccessLogCompiler.compile([log], path: "l", context: ctx)
        #expect(ctx.warnings.map(\.description) == [
            "l[0].filter: not implemented by Tern yet; ignored",
            "l[0].typed_config.log_format.text_format: %VIRTUAL_CLUSTER_NAME% is not implemented by Tern yet; it prints '-'",
        ])
    }

    @Test func substitutionFormatVariants() throws {
        let ctx = context()
        var json = Envoy_Config_Core_V3_SubstitutionFormatString()
        json.jsonFormat = Google_Protobuf_Struct(fields: ["code": Google_Protobuf_Value(stringValue: "%RESPONSE_CODE%")])
        #expect(try AccessLogCompiler.substitutionFormat(json, path: "f", context: ctx).format(TestAccessLogRecord.http())
            == "{\"code\":200}\n")
        var inline = Envoy_Config_Core_V3_SubstitutionFormatString()
        inline.textFormatSource.inlineString = "%PROTOCOL% %UPSTREAM_HOST%"
        inline.omitEmptyValues = true
        let r = TestAccessLogRecord()
        r.upstreamHost = "h:1"
        #expect(try AccessLogCompiler.substitutionFormat(inline, path: "f", context: ctx).format(r) == " h:1")
        #expect(try AccessLogCompiler.substitutionFormat(nil, path: "f", context: ctx).format(r)
            == AccessLogFormat.envoyDefault.format(r))
    }
}
