import NIOCore
import NIOPosix
import Testing
import TernUpstream

/// The getaddrinfo-backed resolver: IP literals at once, names on the thread pool, Envoy's lookup families.
@Suite struct DNSResolverTests {
    static var loop: any EventLoop { MultiThreadedEventLoopGroup.singleton.next() }

    static func parts(_ addresses: [SocketAddress]) -> [String] {
        addresses.map { Host(address: $0, hostname: "").addressString }
    }

    static func split(_ addresses: [SocketAddress]) -> (v4: [SocketAddress], v6: [SocketAddress]) {
        var v4: [SocketAddress] = []
        var v6: [SocketAddress] = []
        for a in addresses {
            switch a {
            case .v4: v4.append(a)
            case .v6: v6.append(a)
            case .unixDomainSocket: Issue.record("unexpected unix address \(a)")
            }
        }
        return (v4, v6)
    }

    /// Runs `body` with a resolver over a started 1-thread pool, shut down afterwards.
    static func withResolver<R: Sendable>(_ body: (DNSResolver) async throws -> R) async throws -> R {
        let pool = NIOThreadPool(numberOfThreads: 1)
        pool.start()
        do {
            let r = try await body(DNSResolver(pool: pool))
            try await pool.shutdownGracefully()
            return r
        } catch {
            try? await pool.shutdownGracefully()
            throw error
        }
    }

    /// A pool that was never started cannot run anything, so success proves the literal path skips it.
    @Test(arguments: [ClusterConfig.DNSLookupFamily.auto, .v4Only, .v6Only, .v4Preferred, .all])
    func ipLiteralsResolveWithoutThePool(family: ClusterConfig.DNSLookupFamily) async throws {
        let resolver = DNSResolver(pool: NIOThreadPool(numberOfThreads: 1))
        let loop = Self.loop
        let v4 = resolver.resolve("127.0.0.1", port: 8080, family: family, on: loop)
        #expect(v4.eventLoop === loop)
        #expect(Self.parts(try await v4.get()) == ["127.0.0.1:8080"])
        let v6 = try await resolver.resolve("::1", port: 443, family: family, on: loop).get()
        #expect(Self.parts(v6) == ["[::1]:443"])
        let other = try await resolver.resolve("10.1.2.3", port: 1, family: family, on: loop).get()
        #expect(Self.parts(other) == ["10.1.2.3:1"])
    }

    @Test func namesNeedTheStartedPool() async throws {
        let resolver = DNSResolver(pool: NIOThreadPool(numberOfThreads: 1))
        await #expect(throws: (any Error).self) {
            _ = try await resolver.resolve("localhost", port: 80, family: .v4Only, on: Self.loop).get()
        }
    }

    @Test func localhostV4Only() async throws {
        let addresses = try await Self.withResolver { r in
            try await r.resolve("localhost", port: 8080, family: .v4Only, on: Self.loop).get()
        }
        #expect(Self.parts(addresses) == ["127.0.0.1:8080"])
    }

    /// AUTO: IPv6 when there is any, else IPv4. V4_PREFERRED: IPv4 when there is any, else IPv6.
    /// ALL: IPv4 then IPv6. V6_ONLY: only IPv6, or an error when there is none. What `localhost`
    /// has depends on /etc/hosts, so each family is checked against the ALL answer.
    @Test func localhostFamiliesFollowEnvoySemantics() async throws {
        try await Self.withResolver { r in
            let all = try await r.resolve("localhost", port: 80, family: .all, on: Self.loop).get()
            let (v4, v6) = Self.split(all)
            #expect(!all.isEmpty)
            #expect(v4.map(\.ipAddress).contains("127.0.0.1"))
            #expect(all == v4 + v6, "ALL lists IPv4 first")
            #expect(Set(all.map { Host(address: $0, hostname: "").addressString }).count == all.count, "no duplicates")
            #expect(all.allSatisfy { $0.port == 80 })

            let auto = try await r.resolve("localhost", port: 80, family: .auto, on: Self.loop).get()
            #expect(auto == (v6.isEmpty ? v4 : v6))
            let preferred = try await r.resolve("localhost", port: 80, family: .v4Preferred, on: Self.loop).get()
            #expect(preferred == v4)

            let v6Only = r.resolve("localhost", port: 80, family: .v6Only, on: Self.loop)
            do {
                let got = try await v6Only.get()
                #expect(!got.isEmpty)
                #expect(got.allSatisfy { if case .v6 = $0 { true } else { false } })
            } catch let error as DNSResolutionError {
                // No IPv6 address for localhost here; that must be an error, not an empty answer.
                #expect(v6.isEmpty, "\(error)")
                #expect(error.name == "localhost")
            }
        }
    }

    @Test(arguments: [ClusterConfig.DNSLookupFamily.auto, .v4Only, .all])
    func unresolvableNameFails(family: ClusterConfig.DNSLookupFamily) async throws {
        try await Self.withResolver { r in
            let error = await #expect(throws: DNSResolutionError.self) {
                _ = try await r.resolve("no-such-host.invalid", port: 80, family: family, on: Self.loop).get()
            }
            #expect(error?.name == "no-such-host.invalid")
            #expect(error?.description.hasPrefix("cannot resolve no-such-host.invalid: ") == true)
        }
    }
}
