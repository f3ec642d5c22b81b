import SwiftProtobuf
import TernConfig
import TernCore

extension TokenBucketConfig {
    /// Envoy refuses fill intervals under 50 ms ("too aggressive refills").
    static let minimumFillIntervalNanoseconds: Int64 = 50_000_000

    /// Compiles an `envoy.type.v3.TokenBucket` with Envoy's validation: `max_tokens` > 0,
    /// `tokens_per_fill` > 0 when set (default 1), `fill_interval` required and at least 50 ms.
    /// `path` is the bucket's own field path.
    package init(proto: Envoy_Type_V3_TokenBucket, path: String) throws {
        guard proto.maxTokens > 0 else {
            throw CompileError(path + ".max_tokens", "must be greater than 0")
        }
        var perFill: UInt32 = 1
        if proto.hasTokensPerFill {
            guard proto.tokensPerFill.value > 0 else {
                throw CompileError(path + ".tokens_per_fill", "must be greater than 0")
            }
            perFill = proto.tokensPerFill.value
        }
        guard proto.hasFillInterval else {
            throw CompileError(path + ".fill_interval", "required")
        }
        let d = proto.fillInterval
        guard d.seconds >= 0, d.nanos >= 0, d.seconds > 0 || d.nanos > 0 else {
            throw CompileError(path + ".fill_interval", "must be greater than 0")
        }
        // Intervals past a few decades are as good as never refilling; capping keeps the
        // nanosecond arithmetic in range.
        let cap = TokenBucketConfig.maxWindow / 1_000_000_000
        let nanoseconds = d.seconds >= cap ? TokenBucketConfig.maxWindow : d.seconds * 1_000_000_000 + Int64(d.nanos)
        guard nanoseconds >= Self.minimumFillIntervalNanoseconds else {
            throw CompileError(path + ".fill_interval", "the token bucket fill interval must be at least 50ms")
        }
        self.init(maxTokens: proto.maxTokens, tokensPerFill: perFill, fillIntervalNanoseconds: nanoseconds)
    }
}
