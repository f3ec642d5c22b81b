/// A stat's two spellings: Envoy's flat name (`cluster.backend.upstream_rq_2xx`) for `/stats`, and
/// the tag-extracted name with labels (`envoy_cluster_upstream_rq_xx{envoy_response_code_class="2",
/// envoy_cluster_name="backend"}`) for `/stats/prometheus`. Tags are given when the stat is made,
/// never extracted with regexes, so names stay exact even when a cluster name contains dots.
public struct StatName: Hashable, Sendable {
    /// Envoy's flat name.
    public let flat: String
    /// The name after tag extraction, still dotted (`cluster.upstream_rq_xx`).
    public let extracted: String
    /// Extracted tags in Envoy's order (innermost first).
    public let tags: [StatTag]

    public init(flat: String, extracted: String, tags: [StatTag]) {
        self.flat = flat
        self.extracted = extracted
        self.tags = tags
    }

    /// The Prometheus metric name: `envoy_` + extracted name with `.` and other non-word characters
    /// mapped to `_`, as Envoy does.
    public var prometheusName: String {
        var out = "envoy_"
        for scalar in extracted.unicodeScalars {
            let c = Character(scalar)
            // ASCII only, as Envoy's sanitizer and Prometheus' name grammar (`é`, `²` become `_`).
            out.append(c.isASCII && (c.isLetter || c.isNumber) || c == "_" ? c : "_")
        }
        return out
    }
}

/// One extracted tag (`envoy_cluster_name` = `backend`).
public struct StatTag: Hashable, Sendable {
    public let name: String
    public let value: String
    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}
