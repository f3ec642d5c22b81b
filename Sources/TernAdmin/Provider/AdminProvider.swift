// TernAdmin: Envoy's admin listener. It serves Envoy's paths and formats and reads the running
// server only through `AdminProvider` (implemented by TernServer) and the `StatsStore`. It imports
// no data-plane target, and its handlers run as Swift tasks, never on a worker's event loop.

/// What the admin API needs from the running server. TernServer implements it; tests use a
/// fixed-data provider. Methods are `async` so an implementation may gather per-loop state
/// (host stats, connection counts) by hopping to each event loop.
public protocol AdminProvider: Sendable {
    /// `/server_info` and `/ready`: version, state, uptime, node and command line.
    func serverInfo() async -> AdminServerInfo

    /// `/clusters`: every active cluster with its hosts, in the order to print them.
    func clusters() async -> [AdminClusterStatus]

    /// `/listeners`: every active listener with its bound addresses (after binding port 0).
    func listeners() async -> [AdminListenerStatus]

    /// `/config_dump`: the already-serialized `envoy.admin.v3.ConfigDump` JSON. Throw
    /// `AdminError` to answer with its status and text (an unknown `resource`, a bad `name_regex`).
    func configDump(_ request: AdminConfigDumpRequest) async throws -> String

    /// `/healthcheck/fail` (true) and `/healthcheck/ok` (false). While failed, the server state is
    /// `DRAINING` and `/ready` answers 503, as in Envoy.
    func setHealthCheckFailed(_ failed: Bool) async

    /// `/drain_listeners`: stop listeners now, or start the graceful drain sequence first.
    func drainListeners(_ request: AdminDrainRequest) async

    /// `/quitquitquit`: start a clean shutdown. Called after the reply is queued, never awaited
    /// by the reply.
    func quit() async

    /// `/logging`: the loggers in the order to list them, with their levels. Optional.
    func logLevels() async -> [AdminLogger]

    /// `/logging?level=…`: sets every logger. Optional.
    func setAllLogLevels(_ level: AdminLogLevel) async

    /// `/logging?<name>=<level>` and `?paths=a:debug,b:info`: sets the named loggers, all of which
    /// appear in `logLevels()` (the handler checks). Optional.
    func setLogLevels(_ levels: [String: AdminLogLevel]) async
}

extension AdminProvider {
    public func logLevels() async -> [AdminLogger] { [] }
    public func setAllLogLevels(_ level: AdminLogLevel) async {}
    public func setLogLevels(_ levels: [String: AdminLogLevel]) async {}
}
