// Whether this machine has IPv6 loopback (`::1`): some containers run without it. Tests that
// need it check here; under CI they run regardless and fail, since CI machines must have it.

import NIOCore
import NIOPosix
import Testing

/// Facts about IPv6 loopback on this machine.
public enum LoopbackIPv6 {
    /// True when a TCP socket can be bound to `[::1]:0`.
    public static func isAvailable() async -> Bool {
        guard let channel = try? await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(host: "::1", port: 0).get()
        else { return false }
        try? await channel.close().get()
        return true
    }
}

extension Trait where Self == ConditionTrait {
    /// Runs the test only where `::1` can be bound; under CI (`CI=true`) it always runs.
    public static var requiresIPv6Loopback: Self {
        .enabled("::1 is not configured on this machine (a bind to [::1]:0 failed)") {
            if TestEnvironment.isCI { return true }
            return await LoopbackIPv6.isAvailable()
        }
    }
}
