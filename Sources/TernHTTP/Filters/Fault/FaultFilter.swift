import NIOCore
import NIOHTTP1
import TernNetwork

/// `envoy.filters.http.fault` for one stream: decides from the request headers whether to delay
/// and/or abort it, as Envoy does.
///
/// Order (Envoy's): the route's per-filter config replaces the filter's; the upstream cluster,
/// downstream node and header conditions must all hold; then a delay, if sampled, holds the
/// request on an event-loop timer and, when it fires, an abort is sampled again (delay first,
/// then abort); without a delay an abort is sampled at once. An aborted request never reaches
/// the router. A fault counts in `active_faults` from when it is injected until the stream ends
/// (a delay that ends without an abort stops counting when the request continues); over
/// `max_active_faults` the fault is skipped and `faults_overflow` counted.
final class FaultFilter: HTTPFilter {
    private let factory: FaultFilterFactory
    /// The stream, while a delay holds it (the stream owns this filter, so not retained).
    private weak var stream: (any HTTPFilterCallbacks)?
    private var settings: FaultConfig
    private var delayTimer: NIOScheduledCallback?
    private var delayLoop: (any EventLoop)?
    /// This stream counts in `active_faults` (at most once, whatever faults it gets).
    private var faultActive = false
    private var activeWorker = 0
    private var downstreamCluster: DownstreamClusterCounters?
    /// The request headers as they were when the delay began; the abort after it samples them.
    private var delayedHeaders: HTTPHeaders?

    init(factory: FaultFilterFactory) {
        self.factory = factory
        self.settings = factory.config
    }

    func decodeHeaders(_ head: inout HTTPRequestHead, endStream: Bool, stream: any HTTPFilterCallbacks) -> FilterHeadersStatus {
        settings = stream.perRouteConfig(factory.name, as: FaultConfig.self) ?? factory.config
        let headers = head.headers
        guard matchesUpstreamCluster(stream, headers: headers),
              matchesDownstreamNode(headers),
              settings.headers.allSatisfy({ $0.matches(headers) }) else { return .continueIteration }
        let worker = stream.worker.index
        if !settings.disableDownstreamClusterStats,
           let cluster = headers.first(name: FaultHeaders.downstreamServiceCluster), !cluster.isEmpty {
            downstreamCluster = factory.stats.downstreamCluster(cluster, worker: worker)
        }
        let random = stream.worker.state(WorkerRandom.self, make: WorkerRandom.init)
        if let ms = settings.delayMilliseconds(headers, random: random), tryIncActiveFaults(worker: worker) {
            self.stream = stream
            delayedHeaders = headers
            let loop = stream.worker.eventLoop
            delayLoop = loop
            delayTimer = try? loop.assumeIsolated().scheduleCallback(in: .milliseconds(ms), handler: FaultDelayTimer(filter: self))
            factory.stats.delaysInjected.inc(worker: worker)
            downstreamCluster?.delaysInjected.inc(worker: worker)
            stream.info.responseFlags.insert(.delayInjected)
            return .stopIteration
        }
        if let status = settings.abortStatus(headers, random: random), tryIncActiveFaults(worker: worker) {
            abort(stream, status: status, headers: headers)
            return .stopIteration
        }
        return .continueIteration
    }

    func onStreamReset(stream: any HTTPFilterCallbacks) {
        cancelDelay()
    }

    func onDestroy() {
        cancelDelay()
        if faultActive {
            faultActive = false
            factory.stats.activeFaults.dec(worker: activeWorker)
        }
    }

    // MARK: - delay

    /// The delay timer fired on the stream's loop: abort now if an abort samples in, else resume.
    func delayElapsed() {
        delayTimer = nil
        delayLoop = nil
        guard let stream, let headers = delayedHeaders else { return }
        delayedHeaders = nil
        let random = stream.worker.state(WorkerRandom.self, make: WorkerRandom.init)
        if let status = settings.abortStatus(headers, random: random) {
            abort(stream, status: status, headers: headers)
            return
        }
        // The delay is over and nothing else is injected: it no longer counts as active.
        if faultActive {
            faultActive = false
            factory.stats.activeFaults.dec(worker: activeWorker)
        }
        self.stream = nil
        stream.continueDecoding()
    }

    private func cancelDelay() {
        if let delayTimer, let delayLoop {
            delayLoop.assumeIsolated().cancelScheduledCallback(delayTimer)
        }
        delayTimer = nil
        delayLoop = nil
        delayedHeaders = nil
        stream = nil
    }

    // MARK: - abort

    private func abort(_ stream: any HTTPFilterCallbacks, status: (http: Int, grpc: Int?), headers: HTTPHeaders) {
        let worker = stream.worker.index
        factory.stats.abortsInjected.inc(worker: worker)
        downstreamCluster?.abortsInjected.inc(worker: worker)
        FaultLocalReply.send(stream, httpStatus: status.http, grpcStatus: status.grpc)
    }

    // MARK: - conditions

    private func tryIncActiveFaults(worker: Int) -> Bool {
        if faultActive { return true }
        // A fuzzy limit, as in Envoy: the gauge is read without a compare-and-swap.
        if let max = settings.maxActiveFaults, factory.stats.activeFaults.value >= max {
            factory.stats.faultsOverflow.inc(worker: worker)
            return false
        }
        factory.stats.activeFaults.inc(worker: worker)
        faultActive = true
        activeWorker = worker
        return true
    }

    private func matchesUpstreamCluster(_ stream: any HTTPFilterCallbacks, headers: HTTPHeaders) -> Bool {
        guard let wanted = settings.upstreamCluster else { return true }
        guard let route = stream.route, case .forward(let action) = route.action else { return false }
        switch action.clusters {
        case .named(let name): return name == wanted
        case .fromHeader(let header): return headers.first(name: header) == wanted
        // The weighted pick happens later, in the router; Tern cannot know it here.
        case .weighted: return false
        }
    }

    private func matchesDownstreamNode(_ headers: HTTPHeaders) -> Bool {
        if settings.downstreamNodes.isEmpty { return true }
        guard let node = headers.first(name: FaultHeaders.downstreamServiceNode) else { return false }
        return settings.downstreamNodes.contains(node)
    }
}

/// The delay timer; it holds the filter until it fires or is cancelled.
struct FaultDelayTimer: NIOScheduledCallbackHandler {
    let filter: FaultFilter
    func handleScheduledCallback(eventLoop: some EventLoop) { filter.delayElapsed() }
}
