import NIOCore
import NIOHTTP1
import TernUpstream

/// Request mirroring (`request_mirror_policies`): the router's hooks that start one
/// `ShadowRequest` per selected policy when it starts forwarding, and hand each shadow the body
/// chunks and trailers it forwards. Shadows never feed back into the primary request.
extension RouterFilter {
    /// Hook: the primary request has a host and its upstream head `head` is final. Starts the
    /// shadows of the route's mirror policies, once per request (a retry forwards again but is
    /// not mirrored again).
    func startMirroring(_ action: ForwardAction, head: HTTPRequestHead) {
        guard shadows == nil else { return }
        shadows = []
        guard let mirrors = action.requestMirrorPolicies, !mirrors.isEmpty else { return }
        // Envoy mirrors neither CONNECT nor upgrades.
        guard !isUpgrade, head.method != .CONNECT else { return }
        let s = stream
        // One draw per request for every policy, as Envoy uses the stream's one random id.
        let draw = s.workerState.random.generator.next()
        let primary = cluster?.config.statName ?? ""
        for policy in mirrors.policies where policy.selects(random: draw) {
            let name: String
            switch policy.target {
            case .named(let n): name = n
            case .fromHeader(let header):
                // Envoy reads the request's headers as the router finalized them; no header, no shadow.
                guard let n = head.headers.first(name: header), !n.isEmpty else { continue }
                name = n
            }
            // A cluster removed since the route was compiled (or never defined, for cluster_header)
            // is skipped silently, as Envoy does.
            guard let shadowCluster = s.worker.clusters.cluster(name) else { continue }
            guard let host = shadowCluster.chooseHost(context: .none) else {
                shadowCluster.config.stats.upstreamCxNoneHealthy.inc(worker: worker)
                shadowCluster.config.stats.upstreamCodes.record(503, worker: worker)
                continue
            }
            let shadow = ShadowRequest(
                head: Self.shadowHead(head, policy: policy, localAddress: mirrors.localAddress),
                cluster: shadowCluster, host: host, pool: Self.pool(of: shadowCluster, host: host, stream: s),
                worker: worker, timers: s.worker.timers, timeout: action.timeout, limit: s.config.bufferLimitBytes,
                onAbandon: { [stats = mirrors.stats, w = worker] in
                    stats.abandoned(primaryStatName: primary).inc(worker: w)
                })
            shadows?.append(shadow)
            shadow.start()
            if requestEnded { shadow.sendEnd(bufferedTrailers) }
        }
    }

    /// Hook: a request body chunk the router forwards (or buffers) for the primary request.
    func mirrorData(_ data: ByteBuffer, endStream: Bool) {
        guard let shadows, !shadows.isEmpty else { return }
        for shadow in shadows {
            shadow.sendBody(data)
            if endStream { shadow.sendEnd(nil) }
        }
    }

    /// Hook: the request's trailers, which end it.
    func mirrorTrailers(_ trailers: HTTPHeaders) {
        guard let shadows, !shadows.isEmpty else { return }
        for shadow in shadows { shadow.sendEnd(trailers) }
    }

    /// Hook: the stream is going away; shadows still waiting for request bytes are given up.
    func cancelIncompleteShadows() {
        guard let shadows, !shadows.isEmpty else { return }
        for shadow in shadows { shadow.cancelIfIncomplete() }
    }

    /// The shadow's head: the primary's upstream head (rewrites and header mutations applied), with
    /// `-shadow` appended to the authority (or `host_rewrite_literal`), then what Envoy's async
    /// client adds to every request it sends: `x-envoy-internal: true` and the proxy's own address
    /// appended to `x-forwarded-for`.
    static func shadowHead(_ head: HTTPRequestHead, policy: RequestMirrorPolicy, localAddress: String) -> HTTPRequestHead {
        var shadow = head
        if let literal = policy.hostRewriteLiteral {
            shadow.headers.replaceOrAdd(name: "host", value: literal)
        } else if policy.appendsShadowSuffix, let host = head.headers.first(name: "host"), !host.isEmpty {
            shadow.headers.replaceOrAdd(name: "host", value: RequestMirrorPolicy.shadowHost(host))
        }
        shadow.headers.replaceOrAdd(name: "x-envoy-internal", value: "true")
        // Envoy appends with a bare "," here (Utility::appendXff).
        if let xff = head.headers.first(name: "x-forwarded-for"), !xff.isEmpty {
            shadow.headers.replaceOrAdd(name: "x-forwarded-for", value: xff + "," + localAddress)
        } else {
            shadow.headers.replaceOrAdd(name: "x-forwarded-for", value: localAddress)
        }
        return shadow
    }

    private static func pool(of cluster: WorkerCluster, host: Host, stream s: ActiveStream) -> any UpstreamHTTPPool {
        // Envoy sends shadows at the default priority, whatever the route's.
        UpstreamPools.pool(cluster: cluster, host: host, priority: .default, downstreamIsHTTP2: s.downstreamVersion.major == 2,
                           worker: s.worker)
    }
}
