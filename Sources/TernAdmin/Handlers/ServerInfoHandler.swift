/// `/ready` and `/server_info`, as Envoy's server-info handler: `/ready` prints the state and is
/// 200 only when `LIVE` (503 otherwise); `/server_info` prints `envoy.admin.v3.ServerInfo`.
struct ServerInfoHandler: Sendable {
    let provider: any AdminProvider

    var routes: [AdminRoute] {
        [
            AdminRoute("/ready", help: "server state; 200 when LIVE, 503 otherwise") { _ in
                let state = await provider.serverInfo().state
                return .text("\(state.rawValue)\n", status: state == .live ? 200 : 503)
            },
            AdminRoute("/server_info", help: "version, state, uptime, node and command line options") { _ in
                .json(Self.json(await provider.serverInfo()))
            },
        ]
    }

    /// Fields in `ServerInfo`'s field-number order. Envoy prints this message with every primitive
    /// field, defaults included; durations are proto3 JSON durations (`"42s"`).
    static func json(_ info: AdminServerInfo) -> AdminJSON {
        var node: [AdminJSON.Member] = []
        if !info.nodeID.isEmpty { node.append(.init("id", .string(info.nodeID))) }
        if !info.nodeCluster.isEmpty { node.append(.init("cluster", .string(info.nodeCluster))) }
        let options = info.commandLineOptions.sorted { $0.key < $1.key }.map { AdminJSON.Member($0.key, $0.value) }
        return [
            "version": .string(info.version),
            "state": .string(info.state.rawValue),
            "uptime_current_epoch": .string("\(info.uptimeCurrentEpoch)s"),
            "uptime_all_epochs": .string("\(info.uptimeAllEpochs)s"),
            "hot_restart_version": .string(info.hotRestartVersion),
            "command_line_options": .object(options),
            "node": .object(node),
        ]
    }
}
