import Testing
@testable import TernConfig
@testable import TernHTTP

/// `CorsPolicy` compiled into a `CORSPolicy`: origin matching and Envoy's defaults.
@Suite struct CORSPolicyTests {
    typealias Proto = Envoy_Extensions_Filters_Http_Cors_V3_CorsPolicy

    let random = WorkerRandom()

    func matcher(exact: String? = nil, suffix: String? = nil, regex: String? = nil) -> Envoy_Type_Matcher_V3_StringMatcher {
        var m = Envoy_Type_Matcher_V3_StringMatcher()
        if let exact { m.exact = exact }
        if let suffix { m.suffix = suffix }
        if let regex { m.safeRegex.regex = regex }
        return m
    }

    @Test func originsMatchAnyMatcher() throws {
        var p = Proto()
        p.allowOriginStringMatch = [matcher(exact: "https://a.example"), matcher(suffix: ".b.example")]
        let policy = try CORSPolicy(proto: p, path: "p")
        #expect(policy.isOriginAllowed("https://a.example"))
        #expect(policy.isOriginAllowed("https://x.b.example"))
        #expect(!policy.isOriginAllowed("https://c.example"))
        #expect(!policy.isOriginAllowed("https://a.example.evil"))
    }

    @Test func aMatcherThatMatchesStarAllowsEveryOrigin() throws {
        var p = Proto()
        p.allowOriginStringMatch = [matcher(exact: "*")]
        #expect(try CORSPolicy(proto: p, path: "p").isOriginAllowed("https://anything.example"))
    }

    @Test func noMatchersAllowNothing() throws {
        #expect(!(try CORSPolicy(proto: Proto(), path: "p").isOriginAllowed("https://a.example")))
    }

    @Test func envoyDefaults() throws {
        let policy = try CORSPolicy(proto: Proto(), path: "p")
        #expect(policy.forwardNotMatchingPreflights)
        #expect(!policy.allowCredentials)
        #expect(policy.enabled(random: random))
        #expect(!policy.shadowEnabled(random: random))
    }

    @Test func filterEnabledAtZeroDisablesAndShadowTakesOver() throws {
        var p = Proto()
        p.filterEnabled.defaultValue.numerator = 0
        p.shadowEnabled.defaultValue.numerator = 100
        p.forwardNotMatchingPreflights.value = false
        p.allowCredentials.value = true
        let policy = try CORSPolicy(proto: p, path: "p")
        for _ in 0..<20 {
            #expect(!policy.enabled(random: random))
            #expect(policy.shadowEnabled(random: random))
        }
        #expect(!policy.forwardNotMatchingPreflights)
        #expect(policy.allowCredentials)
    }

    @Test func badRegexNamesItsPath() throws {
        var p = Proto()
        p.allowOriginStringMatch = [matcher(regex: "(")]
        #expect { try CORSPolicy(proto: p, path: "p") } throws: {
            ($0 as? CompileError)?.path == "p.allow_origin_string_match[0].safe_regex.regex"
        }
    }
}
