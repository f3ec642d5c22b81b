import NIOCore
import SwiftProtobuf

/// Conversions from proto well-known types to runtime values, with Envoy's defaults.
enum ProtoValues {
    /// A `google.protobuf.Duration` as a NIO `TimeAmount`.
    static func timeAmount(_ d: Google_Protobuf_Duration) -> TimeAmount {
        .nanoseconds(d.seconds * 1_000_000_000 + Int64(d.nanos))
    }

    /// `d` when `isSet`, else `fallback` (Envoy's documented default).
    static func timeAmount(_ d: Google_Protobuf_Duration, isSet: Bool, default fallback: TimeAmount) -> TimeAmount {
        isSet ? timeAmount(d) : fallback
    }

    /// Whether a duration is negative (Envoy's `gte: {}` constraints).
    static func isNegative(_ d: Google_Protobuf_Duration) -> Bool {
        d.seconds < 0 || d.nanos < 0
    }
}
