import NIOCore
import SwiftProtobuf

extension Google_Protobuf_Duration {
    /// The duration as a NIO `TimeAmount`.
    public var timeAmount: TimeAmount {
        .nanoseconds(seconds * 1_000_000_000 + Int64(nanos))
    }

    /// True for a zero duration, which Envoy reads as "disabled" for most timeouts.
    public var isZero: Bool { seconds == 0 && nanos == 0 }
}
