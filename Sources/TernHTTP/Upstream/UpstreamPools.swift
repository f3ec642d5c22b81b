import TernCore
import TernNetwork
import TernUpstream

/// Finds (or makes) the worker's pool for a request to `host`: HTTP/2 or HTTP/1.1 as the
/// cluster's upstream protocol options say, for the request's priority. The router and
/// shadows ask here, so neither names a protocol.
enum UpstreamPools {
    /// `downstreamIsHTTP2` matters only for `use_downstream_protocol_config`.
    static func pool(cluster: WorkerCluster, host: Host, priority: ResourcePriority, downstreamIsHTTP2: Bool,
                     worker: Worker) -> any UpstreamHTTPPool {
        // The closures run only when this host has no pool yet: read everything inside them, so
        // the usual request copies nothing (a `ClusterConfig` copy retains each of its references).
        if let settings = cluster.config.httpProtocol.http2Settings(downstreamIsHTTP2: downstreamIsHTTP2) {
            return cluster.pool(for: host, proto: HTTP2ConnectionPool.key(priority)) {
                HTTP2ConnectionPool(host: host, cluster: cluster.config, settings: settings, eventLoop: worker.eventLoop,
                                    worker: worker.index, timers: worker.timers, priority: priority)
            }
        }
        return cluster.pool(for: host, proto: HTTP1ConnectionPool.key(priority)) {
            HTTP1ConnectionPool(host: host, cluster: cluster.config, eventLoop: worker.eventLoop, worker: worker.index,
                                timers: worker.timers, flusher: worker.flusher, priority: priority)
        }
    }
}
