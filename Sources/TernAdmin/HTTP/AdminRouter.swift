import Logging
import TernCore

/// The admin endpoint table and dispatch, as Envoy's `AdminImpl::makeRequest`: exact path match
/// on the part before `?`, POST enforced for state-changing endpoints (405 otherwise), and 404
/// with the help text for anything else. Pure: no sockets, so it is tested directly too.
public struct AdminRouter: Sendable {
    /// Endpoints in registration order; `/help` prints them sorted by path.
    public let routes: [AdminRoute]
    private let byPath: [String: Int]
    private let logger: Logger

    /// The standard Envoy endpoints over `provider` and `stats`, plus `extraRoutes` (which win
    /// over a standard route with the same path).
    public init(provider: any AdminProvider, stats: StatsStore, extraRoutes: [AdminRoute] = [],
                logger: Logger = Logger(label: "tern.admin")) {
        var routes: [AdminRoute] = []
        routes += StatsHandler(stats: stats).routes
        routes += PrometheusStatsHandler(stats: stats).routes
        routes += ClustersHandler(provider: provider).routes
        routes += ListenersHandler(provider: provider).routes
        routes += ServerInfoHandler(provider: provider).routes
        routes += MemoryHandler().routes
        routes += ServerCommandHandler(provider: provider).routes
        routes += ConfigDumpHandler(provider: provider).routes
        routes += LogsHandler(provider: provider).routes
        self.init(routes: routes + extraRoutes, logger: logger)
    }

    /// A router over exactly `routes` plus `/` and `/help`.
    public init(routes: [AdminRoute], logger: Logger = Logger(label: "tern.admin")) {
        var all = routes
        // `/` is Envoy's HTML home page; Tern serves the same list as `/help`, as plain text.
        let helpText = Self.help(for: all + [Self.helpRoute(path: "/", text: ""), Self.helpRoute(path: "/help", text: "")])
        all.append(Self.helpRoute(path: "/", text: helpText))
        all.append(Self.helpRoute(path: "/help", text: helpText))
        var byPath: [String: Int] = [:]
        for (i, route) in all.enumerated() { byPath[route.path] = i }
        self.routes = all
        self.byPath = byPath
        self.logger = logger
    }

    /// Answers one request.
    public func respond(to request: AdminRequest) async -> AdminResponse {
        guard let index = byPath[request.path] else {
            return .text("invalid path. " + Self.help(for: routes), status: 404)
        }
        let route = routes[index]
        if route.mutatesState, request.method != "POST" {
            logger.error("admin path \(route.path) changes server state and needs POST, got \(request.method)")
            return .text("Method \(request.method) not allowed, POST required.", status: 405)
        }
        return await route.handle(request)
    }

    /// Envoy's help layout: `admin commands are:`, then `  /path (POST): help` sorted by path,
    /// each parameter on its own line below.
    static func help(for routes: [AdminRoute]) -> String {
        var seen = Set<String>()
        var out = "admin commands are:\n"
        for route in routes.sorted(by: { $0.path < $1.path }) where seen.insert(route.path).inserted {
            out += "  \(route.path)\(route.mutatesState ? " (POST)" : ""): \(route.help)\n"
            for param in route.params {
                out += "      \(param.name): \(param.help)\n"
            }
        }
        return out
    }

    private static func helpRoute(path: String, text: String) -> AdminRoute {
        AdminRoute(path, help: path == "/" ? "list of admin endpoints (plain text)" : "print this list of admin endpoints") { _ in
            .text(text)
        }
    }
}
