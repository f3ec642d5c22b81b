import Foundation
import NIOCore
import NIOPosix
import SwiftProtobuf
import TernConfig
import TernCore
import TernUpstream
@testable import TernNetwork

/// A worker on its own one-thread event loop group, a STATIC cluster `backend` installed through
/// the real `ClusterManager`, and a listener on 127.0.0.1:0 whose connections get the tcp_proxy
/// filter (standing in for the listener manager), plus a second group for fake upstreams.
struct TCPProxyHarness: Sendable {
    typealias Proto = Envoy_Extensions_Filters_Network_TcpProxy_V3_TcpProxy

    let group: MultiThreadedEventLoopGroup
    let upstreamGroup: MultiThreadedEventLoopGroup
    let store: StatsStore
    let worker: NIOLoopBound<Worker>
    let clusters: ClusterManager
    let listener: any Channel
    let factory: any NetworkFilterFactory

    var port: Int { listener.localAddress!.port! }

    /// `endpoints` are `backend`'s ports on 127.0.0.1; `configure` edits the TcpProxy proto
    /// (stat_prefix `test`, cluster `backend` to begin with). The filter is compiled through its
    /// registration, from an `Any`, as the listener compiler will.
    static func start(endpoints: [Int], upstreamGroup: MultiThreadedEventLoopGroup,
                      connectTimeout: TimeAmount = .seconds(2), bufferLimit: Int = 1 << 20,
                      extraClusterNames: Set<String> = [], downstreamReceiveBuffer: Int? = nil,
                      configure: (inout Proto) -> Void = { _ in }) async throws -> TCPProxyHarness {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = group.next()
        let store = StatsStore(workers: 1)
        let (worker, clusters) = try await loop.submit {
            let w = Worker(index: 0, eventLoop: loop)
            let cm = ClusterManager(workers: [w.clusters], controlLoop: loop, resolver: DNSResolver(pool: .singleton))
            return (NIOLoopBound(w, eventLoop: loop), cm)
        }.get()
        let cluster = ClusterConfig(
            name: "backend", statName: "backend", discovery: .staticHosts,
            endpoints: endpoints.map { EndpointConfig(address: "127.0.0.1", port: $0) },
            connectTimeout: connectTimeout, dnsRefreshRate: .seconds(5), respectDNSTTL: false, dnsLookupFamily: .v4Only,
            maxRequestsPerConnection: nil, idleTimeout: nil, perConnectionBufferLimitBytes: bufferLimit,
            stats: ClusterStats(root: store.root, statName: "backend"), fingerprint: Array(UUID().uuidString.utf8))
        try await clusters.apply([cluster]).get()
        try await loop.submit {}.get()  // the install was posted to the worker's loop before this

        var proto = Proto()
        proto.statPrefix = "test"
        proto.cluster = "backend"
        configure(&proto)
        let context = CompileContext(stats: store, clusterNames: Set(["backend"]).union(extraClusterNames))
        let factory = try TCPProxyFilterFactory.registration.compile(
            try Google_Protobuf_Any(message: proto), "static_resources.listeners[0].filter_chains[0].filters[0].typed_config",
            context)
        let listenerStats = ListenerStats(root: store.root, statPrefix: "127.0.0.1_0")
        var bootstrap = ServerBootstrap(group: loop)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(ChannelOptions.allowRemoteHalfClosure, value: true)
        if let downstreamReceiveBuffer {
            bootstrap = bootstrap.childChannelOption(ChannelOptions.socketOption(.so_rcvbuf),
                                                     value: SocketOptionValue(downstreamReceiveBuffer))
        }
        let listener = try await bootstrap
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let connection = DownstreamConnection(
                        worker: worker.value, remoteAddress: channel.remoteAddress, localAddress: channel.localAddress,
                        listenerName: "test", listenerStats: listenerStats, filterChainName: "default")
                    try factory.addHandlers(to: channel, connection: connection)
                }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        return TCPProxyHarness(group: group, upstreamGroup: upstreamGroup, store: store, worker: worker,
                               clusters: clusters, listener: listener, factory: factory)
    }

    func counter(_ name: String) -> UInt64 {
        store.all().counters.first { $0.name.flat == name }?.value ?? 0
    }

    func gauge(_ name: String) -> Int64 {
        store.all().gauges.first { $0.name.flat == name }?.value ?? 0
    }

    /// The hosts of `backend` as the cluster manager published them.
    var hosts: [TernUpstream.Host] { clusters.current().first { $0.config.name == "backend" }?.hosts.hosts ?? [] }

    func shutdown() async throws {
        clusters.shutdown()
        try? await listener.close().get()
        try await group.shutdownGracefully()
    }
}

/// Polls `condition` every 10 ms until it holds or `timeout` passes; returns whether it held.
/// The sleep is only the polling interval: assertions are on the condition.
@discardableResult
func eventually(timeout: Duration = .seconds(10), _ condition: () -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(10))
    }
    return condition()
}
