import Testing
import TernConfig

@Suite struct YAMLTreeBuilderTests {
    static func parse(_ yaml: String) throws -> ConfigValue {
        try YAMLTreeBuilder.parse(yaml)
    }

    @Test(arguments: ["on", "off", "yes", "no", "Y", "1_000", "0b101", "2024-01-01", "12:30", ".5.5", "0x", "0o8"])
    func yaml11ScalarsStayStrings(text: String) throws {
        #expect(try Self.parse("v: \(text)")["v"] == .string(text))
    }

    @Test func onStaysAStringThroughTheLoader() throws {
        let loaded = try BootstrapLoader.load(from: .text("node: { id: on, cluster: yes }"))
        #expect(loaded.bootstrap.node.id == "on")
        #expect(loaded.bootstrap.node.cluster == "yes")
    }

    @Test func coreSchemaScalars() throws {
        let value = try Self.parse("""
            t: true
            f: False
            n1: null
            n2: ~
            n3:
            i: -0042
            o: 0o17
            h: 0x1F
            big: 18446744073709551615
            f1: 1.5
            f2: -.5e3
            f3: 2.
            inf: -.inf
            """)
        #expect(value["t"] == .bool(true))
        #expect(value["f"] == .bool(false))
        #expect(value["n1"] == .null)
        #expect(value["n2"] == .null)
        #expect(value["n3"] == .null)
        #expect(value["i"] == .number(.integer("-42")))
        #expect(value["o"] == .number(.integer("15")))
        #expect(value["h"] == .number(.integer("31")))
        #expect(value["big"] == .number(.integer("18446744073709551615")))
        #expect(value["f1"] == .number(.float(1.5)))
        #expect(value["f2"] == .number(.float(-500)))
        #expect(value["f3"] == .number(.float(2)))
        #expect(value["inf"] == .number(.float(-.infinity)))
        let nan = try Self.parse("x: .NaN")["x"]
        guard case .number(.float(let number))? = nan else {
            Issue.record("expected a float, got \(String(describing: nan))")
            return
        }
        #expect(number.isNaN)
    }

    @Test func quotedAndBlockScalarsAreStrings() throws {
        let value = try Self.parse("""
            a: "true"
            b: '80'
            c: |
              null
            d: !!str 12
            """)
        #expect(value["a"] == .string("true"))
        #expect(value["b"] == .string("80"))
        #expect(value["c"] == .string("null\n"))
        #expect(value["d"] == .string("12"))
    }

    @Test func explicitTags() throws {
        #expect(try Self.parse("x: !!int \"7\"")["x"] == .number(.integer("7")))
        #expect(throws: ConfigError.self) { try Self.parse("x: !!int seven") }
        #expect(throws: ConfigError.self) { try Self.parse("x: !custom 1") }
    }

    @Test func anchorsAliasesAndMergeKeys() throws {
        let value = try Self.parse("""
            base: &base
              connect_timeout: 1s
              lb_policy: ROUND_ROBIN
            other: &other { type: STATIC }
            clusters:
            - <<: *base
              name: a
            - <<: [*base, *other]
              name: b
              lb_policy: RANDOM
            copy: *other
            """)
        let clusters = try #require(value["clusters"])
        guard case .array(let list) = clusters else {
            Issue.record("clusters is not a list")
            return
        }
        #expect(list[0] == .object([
            ConfigMember("name", .string("a")),
            ConfigMember("connect_timeout", .string("1s")),
            ConfigMember("lb_policy", .string("ROUND_ROBIN")),
        ]))
        #expect(list[1]["lb_policy"] == .string("RANDOM"))
        #expect(list[1]["type"] == .string("STATIC"))
        #expect(list[1]["connect_timeout"] == .string("1s"))
        #expect(value["copy"] == .object([ConfigMember("type", .string("STATIC"))]))
    }

    @Test func mergeKeysWorkThroughTheLoader() throws {
        let yaml = """
            x-defaults: &defaults
              connect_timeout: 2s
              type: STRICT_DNS
            static_resources:
              clusters:
              - <<: *defaults
                name: a
            """
        // x-defaults is not a Bootstrap field, so allow unknown fields for this document.
        let loaded = try BootstrapLoader.load(from: .text(yaml), options: ConfigLoadOptions(allowUnknownFields: true))
        #expect(loaded.bootstrap.staticResources.clusters[0].connectTimeout.seconds == 2)
        #expect(loaded.bootstrap.staticResources.clusters[0].type == .strictDns)
        #expect(loaded.warnings.map(\.path) == ["x-defaults"])
    }

    @Test func duplicateKeysAreAnError() {
        let error = #expect(throws: ConfigError.self) { try Self.parse("a:\n  b: 1\n  b: 2\n") }
        #expect(error?.message.contains("duplicated key(s): 'b'") == true, "\(String(describing: error))")
    }

    @Test func syntaxErrorsAreReported() {
        let error = #expect(throws: ConfigError.self) { try Self.parse("a: [1, 2\nb: c") }
        #expect(error?.message.hasPrefix("invalid YAML") == true)
    }

    @Test func multipleDocumentsAreRejected() {
        #expect(throws: ConfigError.self) { try Self.parse("a: 1\n---\nb: 2\n") }
    }
}
