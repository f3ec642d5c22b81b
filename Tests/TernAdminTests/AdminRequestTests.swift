import Testing
@testable import TernAdmin

/// Query parsing and JSON rendering, without sockets.
@Suite struct AdminRequestTests {
    @Test func parsesAndDecodesTheQuery() {
        let r = AdminRequest(method: "GET", uri: "/stats?filter=%5Ecluster%5C.a+b&usedonly&type=&x=%zz")
        #expect(r.path == "/stats")
        #expect(r.first("filter") == #"^cluster\.a+b"#)
        #expect(r.has("usedonly"))
        #expect(r.first("usedonly") == "")
        #expect(r.first("type") == "")
        #expect(r.first("x") == "%zz")
        #expect(!r.has("format"))
        #expect(AdminRequest(method: "GET", uri: "/ready").query.isEmpty)
    }

    @Test func jsonRendering() {
        let value: AdminJSON = ["a": "x\"y\n", "b": [1, true, .null], "c": .object([]), "d": .array([]), "e": .double(0.5)]
        #expect(value.rendered() == #"{"a":"x\"y\n","b":[1,true,null],"c":{},"d":[],"e":0.5}"#)
        #expect(AdminJSON.object([.init("k", [1])]).rendered(pretty: true) == "{\n \"k\": [\n  1\n ]\n}")
    }

    @Test func routerAnswersWithoutSockets() async {
        let router = AdminRouter(provider: TestProvider(), stats: AdminHarness.sampleStats())
        let post = await router.respond(to: AdminRequest(method: "PUT", uri: "/healthcheck/fail"))
        #expect(post.status == 405)
        #expect(post.body == "Method PUT not allowed, POST required.")
        let ready = await router.respond(to: AdminRequest(method: "GET", uri: "/ready"))
        #expect(ready == .text("LIVE\n"))
    }
}
