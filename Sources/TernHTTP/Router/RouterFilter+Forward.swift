import NIOCore
import NIOHTTP1
import TernNetwork
import TernUpstream

extension RouterFilter: HTTP1PoolWaiter {
    /// Chooses the cluster and host, prepares the upstream request head and asks the pool.
    func startForwarding(_ action: ForwardAction, route: RouteEntry, head: inout HTTPRequestHead,
                         stats hcm: HTTPConnectionManagerStats) {
        let s = stream!
        let clusterName: String
        switch action.clusters {
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
        guard let host = cluster.chooseHost() else {
            stats.upstreamCxNoneHealthy.inc(worker: worker)
            stats.upstreamCodes.record(503, worker: worker)
            s.sendLocalReply(status: .serviceUnavailable, body: "no healthy upstream", details: "no_healthy_upstream",
                             flags: .noHealthyUpstream, headers: nil)
            self.cluster = nil
            return
        }
        self.host = host
        s.info.host = host
        stats.upstreamRqTotal.inc(worker: worker)
        stats.upstreamRqActive.inc(worker: worker)
        host.stats.rqTotal.add(1, ordering: .relaxed)
        host.stats.rqActive.add(1, ordering: .relaxed)
        startUptime = UInt64(NIODeadline.now().uptimeNanoseconds)

        // The router edits the stream's head in place: it is what goes upstream.
        // The stream's record holds the original request for %REQ(...)% in header values.
        s.info.request = head
        UpstreamRequestHead.prepare(&head, action: action, target: target, route: route, host: host,
                                    suppressEnvoyHeaders: suppressEnvoyHeaders, info: s.info)
        upstreamHead = head
        s.info.request = head
        let config = cluster.config
        let loop = s.worker.eventLoop
        let w = worker
        let timers = s.worker.timers
        let pool = cluster.pool(for: host, proto: HTTP1ConnectionPool.protocolKey) {
            HTTP1ConnectionPool(host: host, cluster: config, eventLoop: loop, worker: w, timers: timers)
        }
        self.pool = pool
        pool.acquire(self)
    }

    func poolReady(_ connection: HTTP1UpstreamConnection) {
        guard !done, let head = upstreamHead else {
            // The stream went away while the connection was being made: give it back.
            pool?.release(connection)
            return
        }
        upstream = connection
        connection.delegate = self
        connection.sendHead(head, endStream: false)
        for chunk in buffered { connection.sendBody(chunk) }
        buffered.removeAll()
        bufferedBytes = 0
        if requestEnded {
            connection.sendEnd(bufferedTrailers)
            bufferedTrailers = nil
        } else {
            connection.flush()
        }
        if downstreamReadsDisabled, connection.isWritable {
            downstreamReadsDisabled = false
            stream.setDecoderReadDisabled(false)
        }
    }

    func poolFailed(_ failure: PoolFailure) {
        guard !done, let cluster else { return }
        let s = stream!
        s.info.upstreamTransportFailureReason = failure.transportFailure
        cluster.config.stats.upstreamCodes.record(503, worker: worker)
        host?.stats.rqError.add(1, ordering: .relaxed)
        cleanUp(abortUpstream: false)
        s.sendLocalReply(status: .serviceUnavailable,
                         body: "upstream connect error or disconnect/reset before headers. reset reason: \(failure.resetReason)",
                         details: "upstream_reset_before_response_started{\(failure.resetReason.replacingOccurrences(of: " ", with: "_"))}",
                         flags: .upstreamConnectionFailure, headers: nil)
    }
}
