import Testing
import TernAdmin

/// `/logging`: list, set all, set one, set several, and Envoy's 400 answers.
@Suite struct LoggingEndpointTests {
    @Test func listsLoggers() async throws {
        try await AdminHarness.with { admin in
            let r = try await admin.post("/logging")
            #expect(r.status == 200)
            #expect(r.body == "active loggers:\n  admin: info\n  upstream: info\n  http: warning\n\n")
        }
    }

    @Test func setsAllOneAndSeveral() async throws {
        try await AdminHarness.with { admin in
            let all = try await admin.post("/logging?level=debug")
            #expect(all.body == "active loggers:\n  admin: debug\n  upstream: debug\n  http: debug\n\n")
            let one = try await admin.post("/logging?upstream=trace")
            #expect(one.body == "active loggers:\n  admin: debug\n  upstream: trace\n  http: debug\n\n")
            let several = try await admin.post("/logging?paths=admin:error,http:critical")
            #expect(several.body == "active loggers:\n  admin: error\n  upstream: trace\n  http: critical\n\n")
        }
    }

    @Test func rejectsUnknownNamesAndLevels() async throws {
        try await AdminHarness.with { admin in
            let name = try await admin.post("/logging?nope=debug")
            #expect(name.status == 400)
            #expect(name.body.hasPrefix("error: unknown logger name\n\nusage: /logging?<name>=<level>"))
            #expect(name.body.contains("levels: trace debug info warning error critical off \n"))
            #expect(name.body.hasSuffix("active loggers:\n  admin: info\n  upstream: info\n  http: warning\n\n"))

            let level = try await admin.post("/logging?level=loud")
            #expect(level.status == 400)
            #expect(level.body.hasPrefix("error: unknown logger level\n"))

            let two = try await admin.post("/logging?admin=debug&http=debug")
            #expect(two.status == 400)
            #expect(two.body.hasPrefix("error: invalid number of parameters\n"))
        }
    }
}
