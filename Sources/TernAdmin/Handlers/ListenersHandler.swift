/// `/listeners` (`name::ip:port` per bound address, or `envoy.admin.v3.Listeners` JSON) and
/// `/drain_listeners` (POST), the two endpoints of Envoy's listeners handler.
struct ListenersHandler: Sendable {
    let provider: any AdminProvider

    var routes: [AdminRoute] {
        [
            AdminRoute("/listeners", help: "active listeners and their bound addresses",
                       params: [.init("format", "text (default) or json")]) { request in
                let listeners = await provider.listeners()
                if request.first("format") == "json" {
                    return .json(Self.json(listeners))
                }
                return .text(Self.text(listeners))
            },
            AdminRoute("/drain_listeners", help: "stop (or gracefully drain, then stop) listeners", mutatesState: true,
                       params: [
                           .init("graceful", "drain connections for the drain period before stopping listeners"),
                           .init("skip_exit", "with graceful: drain but keep the listeners afterwards"),
                           .init("inboundonly", "only inbound listeners"),
                       ]) { request in
                await drain(request)
            },
        ]
    }

    static func text(_ listeners: [AdminListenerStatus]) -> String {
        var out = ""
        for listener in listeners {
            for address in listener.localAddresses {
                out += "\(listener.name)::\(address)\n"
            }
        }
        return out
    }

    static func json(_ listeners: [AdminListenerStatus]) -> AdminJSON {
        let statuses: [AdminJSON] = listeners.map { listener in
            var m: [AdminJSON.Member] = [.init("name", .string(listener.name))]
            if let first = listener.localAddresses.first {
                m.append(.init("local_address", AddressJSON.json(first)))
            }
            if listener.localAddresses.count > 1 {
                m.append(.init("additional_local_addresses", .array(listener.localAddresses.dropFirst().map(AddressJSON.json))))
            }
            return .object(m)
        }
        return ["listener_statuses": .array(statuses)]
    }

    private func drain(_ request: AdminRequest) async -> AdminResponse {
        let drain = AdminDrainRequest(graceful: request.has("graceful"), inboundOnly: request.has("inboundonly"),
                                      skipExit: request.has("skip_exit"))
        if drain.skipExit, !drain.graceful {
            return .text("skip_exit requires graceful\n", status: 400)
        }
        await provider.drainListeners(drain)
        return .text("OK\n")
    }
}
