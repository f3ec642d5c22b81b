import NIOCore
import TernNetwork

extension Server {
    // MARK: - shutdown

    /// Stops the server and opens `waitForExit()` with exit code 0. Graceful (SIGTERM, SIGINT):
    /// state DRAINING, stop accepting, drain every connection, wait until none is left or
    /// `--drain-time-s` has passed, flush access logs. Not graceful (`/quitquitquit`): close now.
    public func shutdown(graceful: Bool = true) async {
        guard !stopping else {
            _ = await exitLatch.wait()
            return
        }
        stopping = true
        setDraining(true)
        logger.info(graceful ? "shutting down: draining connections for up to \(options.drainTime.nanoseconds / 1_000_000_000)s"
                             : "shutting down now")
        if graceful, let listeners = listenerManager, let pool {
            await listeners.stopAccepting()
            await listeners.startDraining()
            await waitForConnectionsToEnd(pool: pool, within: options.drainTime)
        }
        if let pool { await AccessLogFlusher.flushAll(in: pool.group) }
        await stopEverything()
        logger.info("exiting")
        exitLatch.open(0)
    }

    /// Polls the workers' connection counts until none is left or `window` has passed.
    private func waitForConnectionsToEnd(pool: WorkerPool, within window: TimeAmount) async {
        let deadline = NIODeadline.now() + window
        while NIODeadline.now() < deadline {
            guard let open = try? await pool.connectionCount(), open > 0 else { return }
            try? await Task.sleep(nanoseconds: 50_000_000)
        }
    }

    /// Tears everything down in dependency order. Safe to call on a half-started server.
    func stopEverything() async {
        for timer in timers { timer.cancel() }
        timers = []
        if let admin = adminServer { await admin.shutdown() }
        adminServer = nil
        if let listeners = listenerManager {
            await listeners.stopAccepting()
            await listeners.closeAllConnections()
        }
        clusterManager?.shutdown()
        if let resolverPool { try? await resolverPool.shutdownGracefully() }
        resolverPool = nil
        if let pool { try? await pool.shutdown() }
        pool = nil
    }

    // MARK: - admin actions

    /// `/drain_listeners`, as Envoy defines it: connections are told to drain; without `graceful`
    /// the listeners stop accepting now; with `graceful` they keep accepting (new connections drain
    /// at once) for `--drain-time-s`, then stop accepting while the server (and admin) keep
    /// running; with `skip_exit` they keep accepting.
    public func drainListeners(graceful: Bool, inboundOnly: Bool, skipExit: Bool) async {
        guard let listeners = listenerManager, !stopping else { return }
        logger.info("draining \(inboundOnly ? "inbound " : "")listeners (graceful: \(graceful), skip_exit: \(skipExit))")
        await listeners.startDraining(inboundOnly: inboundOnly)
        if skipExit { return }
        guard graceful else {
            await listeners.stopAccepting(inboundOnly: inboundOnly)
            return
        }
        let delay = UInt64(max(0, options.drainTime.nanoseconds))
        Task {
            try? await Task.sleep(nanoseconds: delay)
            await self.finishGracefulDrain(inboundOnly: inboundOnly)
        }
    }

    private func finishGracefulDrain(inboundOnly: Bool) async {
        guard !stopping, let listeners = listenerManager else { return }
        await listeners.stopAccepting(inboundOnly: inboundOnly)
        logger.info("drain period over: listeners stopped accepting")
    }

    /// `/healthcheck/fail` and `/healthcheck/ok`.
    public func setHealthCheckFailed(_ failed: Bool) {
        healthCheck.set(failed: failed)
        serverStats.set(state)
    }
}
