import TernConfig

extension Snapshot {
    /// Names of the listeners with `traffic_direction: INBOUND` (`/drain_listeners?inboundonly`).
    /// Listeners compile in config order, so the protos line up with `listeners`.
    var inboundListenerNames: Set<String> {
        var names = Set<String>()
        for (config, proto) in zip(listeners, bootstrap.staticResources.listeners) where proto.trafficDirection == .inbound {
            names.insert(config.name)
        }
        return names
    }
}
