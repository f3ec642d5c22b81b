/// The POST-only server commands of Envoy's server-command handler: `/healthcheck/fail`,
/// `/healthcheck/ok` and `/quitquitquit`, each answering `OK`.
struct ServerCommandHandler: Sendable {
    let provider: any AdminProvider

    var routes: [AdminRoute] {
        [
            AdminRoute("/healthcheck/fail", help: "fail health checks (state becomes DRAINING)", mutatesState: true) { _ in
                await provider.setHealthCheckFailed(true)
                return .text("OK\n")
            },
            AdminRoute("/healthcheck/ok", help: "stop failing health checks", mutatesState: true) { _ in
                await provider.setHealthCheckFailed(false)
                return .text("OK\n")
            },
            AdminRoute("/quitquitquit", help: "shut the server down", mutatesState: true) { _ in
                // The reply must leave before the server stops: quit runs once it is written.
                var response = AdminResponse.text("OK\n")
                response.afterSent = .init { await provider.quit() }
                return response
            },
        ]
    }
}
