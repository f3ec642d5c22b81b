import NIOCore
import NIOHTTP1
import TernNetwork
import TernUpstream

extension RouterFilter: UpstreamPoolWaiter {
    /// Chooses the cluster and host, prepares the upstream request head and asks the pool.
    func startForwarding(_ action: ForwardAction, route: RouteEntry, head: inout HTTPRequestHead,
                         stats hcm: HTTPConnectionManagerStats) {
        let s = stream
        let clusterName: String
        // An earlier filter may have sent this request elsewhere (degradation's fallback cluster).
        switch s.upstreamClusterOverride.map(ForwardAction.ClusterChoice.named) ?? action.clusters {
        case .named(let name): clusterName = name
        case .fromHeader(let header): clusterName = head.headers.first(name: header) ?? ""
        case .weighted(let targets, let total):
            var pick = s.workerState.random.next(below: total)
            var chosen = targets[targets.count - 1]
            for t in targets {
                if pick < t.weight { chosen = t; break }
                pick -= t.weight
            }
            target = chosen
            clusterName = chosen.name
        }
        guard let cluster = s.worker.clusters.cluster(clusterName) else {
            hcm.noCluster.inc(worker: worker)
            let status = HTTPResponseStatus(statusCode: action.clusterNotFoundStatus)
            s.sendLocalReply(status: status, body: "", details: "cluster_not_found", flags: .noClusterFound, headers: nil)
            return
        }
        self.cluster = cluster
        s.info.upstreamCluster = cluster.config.name
        let stats = cluster.config.stats
        if isUpgrade, cluster.config.httpProtocol.http2Settings(downstreamIsHTTP2: s.downstreamVersion.major == 2) != nil {
            // Tern has no extended CONNECT (RFC 8441): an upgrade cannot be carried over HTTP/2.
            stats.upstreamCodes.record(503, worker: worker)
            s.sendLocalReply(status: .serviceUnavailable, body: "upgrade over an HTTP/2 upstream is not supported",
                             details: "upgrade_failed", flags: .upstreamProtocolError, headers: nil)
            self.cluster = nil
            return
        }
        guard let host = cluster.chooseHost(context: action.loadBalancerContext(
            target: target, head: head, source: s.info.downstreamRemoteAddress,
            hashing: cluster.config.lb.policy.usesHash)) else {
            answerNoHealthyUpstream(stats)
            self.cluster = nil
            return
        }
        beginAttempt(on: host, stats: stats)

        // The router edits the stream's head in place: it is what goes upstream.
        // The stream's record holds the original request for %REQ(...)% in header values; with
        // no header mutations to format it lets go meanwhile, so the edits need no copy.
        let formats = !route.requestMutations.isEmpty || !(target?.requestMutations.isEmpty ?? true)
        s.info.request = formats ? head : nil
        UpstreamRequestHead.prepare(&head, action: action, target: target, route: route, host: host,
                                    suppressEnvoyHeaders: suppressEnvoyHeaders, info: s.info)
        setUpRetries(action, cluster: cluster, head: &head)
        upstreamHead = head
        startMirroring(action, head: head)  // mirror headers at forward start
        s.info.request = head
        acquireConnection(host: host)
    }

    func poolReady(_ connection: any UpstreamRequestStream) {
        host?.outlier?.putResult(.localOriginConnectSuccess)
        guard !done, let head = upstreamHead else {
            // The stream went away while the connection was being made: give it back.
            connection.giveBack()
            return
        }
        guard takeRequestSlot() else {
            // max_requests: the connection stays with the pool; the request is refused as Envoy does.
            connection.giveBack()
            pool = nil
            poolFailed(.overflow)
            return
        }
        upstream = connection
        connection.delegate = self
        // A retry replays everything kept; otherwise only what arrived before the connection.
        let body = retries.body ?? buffered
        let trailers = retries.body != nil ? retries.trailers : bufferedTrailers
        if requestEnded, body.isEmpty, trailers == nil {
            // The whole request is its head (HTTP/2: HEADERS with END_STREAM, no empty DATA).
            connection.sendHead(head, endStream: true)
            startPerTryTimer()
        } else {
            sendRequest(head, body: body, on: connection)
        }
        if downstreamReadsDisabled, connection.isWritable {
            downstreamReadsDisabled = false
            stream.setDecoderReadDisabled(false)
        }
    }

    private func sendRequest(_ head: HTTPRequestHead, body: [ByteBuffer], on connection: any UpstreamRequestStream) {
        connection.sendHead(head, endStream: false)
        for chunk in body { connection.sendBody(chunk) }
        buffered.removeAll()
        bufferedBytes = 0
        if requestEnded {
            connection.sendEnd(retries.body != nil ? retries.trailers : bufferedTrailers)
            bufferedTrailers = nil
            startPerTryTimer()
        } else {
            connection.flush()
        }
    }

    func poolFailed(_ failure: PoolFailure) {
        guard !done, let cluster else { return }
        let s = stream
        s.info.upstreamTransportFailureReason = failure.transportFailure
        host?.stats.rqError.add(1, ordering: .relaxed)
        // A circuit breaker's refusal is never retried; a failed connect may be.
        let overflow: Bool
        if case .overflow = failure { overflow = true } else { overflow = false }
        if !overflow { host?.outlier?.putResult(.localOriginConnectFailed) }
        if !overflow, retryAfterReset(.connectFailure) { return }
        var flags: ResponseFlags = overflow ? .upstreamOverflow : .upstreamConnectionFailure
        var status = HTTPResponseStatus.serviceUnavailable
        if case .protocolError = failure {
            // As Envoy: an upstream protocol error before the response is a 502 (UPE).
            flags = .upstreamProtocolError
            status = .badGateway
        }
        cluster.config.stats.upstreamCodes.record(Int(status.code), worker: worker)
        cleanUp(abortUpstream: false)
        var headers: HTTPHeaders?
        if overflow, !suppressEnvoyHeaders { headers = ["x-envoy-overloaded": "true"] }
        s.sendLocalReply(status: status,
                         body: "upstream connect error or disconnect/reset before headers. reset reason: \(failure.resetReason)",
                         details: "upstream_reset_before_response_started{\(failure.resetReason.replacingOccurrences(of: " ", with: "_"))}",
                         flags: flags, headers: headers)
    }
}

extension RouterFilter {
    /// The cluster has no host to use: 503 `UH`, counted as Envoy does.
    func answerNoHealthyUpstream(_ stats: ClusterStats) {
        stats.upstreamCxNoneHealthy.inc(worker: worker)
        stats.upstreamCodes.record(503, worker: worker)
        stream.sendLocalReply(status: .serviceUnavailable, body: "no healthy upstream", details: "no_healthy_upstream",
                              flags: .noHealthyUpstream, headers: nil)
    }

    /// One attempt starts on `host` (the first, or a retry): the stream's record and the
    /// cluster's and host's request counters.
    func beginAttempt(on host: Host, stats: ClusterStats) {
        self.host = host
        stream.info.host = host
        stats.upstreamRqTotal.inc(worker: worker)
        stats.upstreamRqActive.inc(worker: worker)
        host.stats.rqTotal.add(1, ordering: .relaxed)
        host.stats.rqActive.add(1, ordering: .relaxed)
        startUptime = stream.workerState.clock.uptimeNanoseconds
    }
}
