import NIOCore

/// The clock rate limiters read on the data path: monotonic nanoseconds, one read per decision.
/// Token buckets take the instant as an argument, so tests inject their own.
public enum RateLimitClock {
    /// Now, in monotonic (uptime) nanoseconds.
    @inlinable
    public static func now() -> Int64 {
        Int64(truncatingIfNeeded: NIODeadline.now().uptimeNanoseconds)
    }
}
