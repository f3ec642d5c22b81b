/// A rate limit descriptor: ordered `(key, value)` entries, made per request from the filter's
/// `rate_limits` actions and matched against the configured `descriptors`.
struct RateLimitDescriptor: Hashable, Sendable, CustomStringConvertible {
    struct Entry: Hashable, Sendable {
        let key: String
        let value: String
    }

    var entries: [Entry]

    /// The key a dynamic (wildcard) descriptor's bucket is stored under: a 64-bit hash with the
    /// process's random seed, so a client cannot aim values at one slot.
    var bucketKey: UInt64 {
        var hasher = Hasher()
        hasher.combine(self)
        return UInt64(bitPattern: Int64(hasher.finalize()))
    }

    /// A configured descriptor with an empty value matches any value of that entry (Envoy's
    /// wildcard descriptors); keys and the number of entries must be the same.
    func matches(wildcard pattern: [Entry]) -> Bool {
        guard entries.count == pattern.count else { return false }
        for (request, configured) in zip(entries, pattern) {
            guard request.key == configured.key else { return false }
            if !configured.value.isEmpty && request.value != configured.value { return false }
        }
        return true
    }

    var description: String {
        entries.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")
    }
}
