import TernConfig
import TernCore
import TernNetwork

/// The compiled buckets of one LocalRateLimit config, before any bucket exists: the default
/// `token_bucket` and the `descriptors`. The shared limiter is made from it once at load; with
/// `local_rate_limit_per_downstream_connection` each connection makes its own.
struct LocalRateLimiterSpec: Sendable {
    struct Descriptor: Sendable {
        let entries: [RateLimitDescriptor.Entry]
        let bucket: TokenBucketConfig
        let shadowMode: Bool
        /// An entry with an empty value: each distinct request value gets its own bucket.
        var isWildcard: Bool { entries.contains { $0.value.isEmpty } }
    }

    /// nil: no default bucket (allowed for the filter-level config), so only descriptors limit.
    let defaultBucket: TokenBucketConfig?
    let descriptors: [Descriptor]
    /// `always_consume_default_token_bucket` (default true): the default bucket is taken from
    /// even when a descriptor matched.
    let alwaysConsumeDefault: Bool
    /// `max_dynamic_descriptors` (default 20): buckets kept per wildcard descriptor.
    let maxDynamicDescriptors: Int

    /// The most dynamic buckets one wildcard descriptor may keep; each costs 24 bytes up front.
    static let dynamicDescriptorLimit = 65_536

    typealias Proto = Envoy_Extensions_Filters_Http_LocalRatelimit_V3_LocalRateLimit

    init(proto: Proto, path: String, context: CompileContext) throws {
        defaultBucket = proto.hasTokenBucket ? try TokenBucketConfig(proto: proto.tokenBucket, path: path + ".token_bucket") : nil
        alwaysConsumeDefault = proto.hasAlwaysConsumeDefaultTokenBucket ? proto.alwaysConsumeDefaultTokenBucket.value : true
        var maxDynamic = 20
        if proto.hasMaxDynamicDescriptors {
            guard proto.maxDynamicDescriptors.value >= 1 else {
                throw CompileError(path + ".max_dynamic_descriptors", "must be at least 1")
            }
            maxDynamic = Int(proto.maxDynamicDescriptors.value)
            if maxDynamic > Self.dynamicDescriptorLimit {
                context.warn(path + ".max_dynamic_descriptors",
                             "Tern keeps at most \(Self.dynamicDescriptorLimit) dynamic descriptors per wildcard descriptor")
                maxDynamic = Self.dynamicDescriptorLimit
            }
        }
        maxDynamicDescriptors = maxDynamic
        var seen = Set<[RateLimitDescriptor.Entry]>()
        descriptors = try proto.descriptors.enumerated().map { index, d in
            let dpath = "\(path).descriptors[\(index)]"
            guard !d.entries.isEmpty else { throw CompileError(dpath + ".entries", "at least one entry is required") }
            let entries = try d.entries.enumerated().map { i, e in
                guard !e.key.isEmpty else { throw CompileError("\(dpath).entries[\(i)].key", "required") }
                return RateLimitDescriptor.Entry(key: e.key, value: e.value)
            }
            guard seen.insert(entries).inserted else {
                throw CompileError(dpath, "duplicate descriptor in the local rate descriptors: "
                                   + RateLimitDescriptor(entries: entries).description)
            }
            guard d.hasTokenBucket else { throw CompileError(dpath + ".token_bucket", "required") }
            return Descriptor(entries: entries, bucket: try TokenBucketConfig(proto: d.tokenBucket, path: dpath + ".token_bucket"),
                              shadowMode: d.shadowMode)
        }
    }
}
