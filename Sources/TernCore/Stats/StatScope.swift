/// A prefix under which stats are made, carrying the tags Envoy would extract from it.
/// `root.scope("cluster.", tag: "envoy_cluster_name", value: "backend")` names
/// `cluster.backend.upstream_rq_total`, exported as `envoy_cluster_upstream_rq_total{envoy_cluster_name="backend"}`.
public struct StatScope: Sendable {
    public let store: StatsStore
    public let flatPrefix: String
    public let extractedPrefix: String
    public let tags: [StatTag]

    init(store: StatsStore, flatPrefix: String, extractedPrefix: String, tags: [StatTag]) {
        self.store = store
        self.flatPrefix = flatPrefix
        self.extractedPrefix = extractedPrefix
        self.tags = tags
    }

    /// A child scope with a fixed segment (`http.`, `downstream_cx_`), no tag.
    public func scope(_ segment: String) -> StatScope {
        StatScope(store: store, flatPrefix: flatPrefix + segment, extractedPrefix: extractedPrefix + segment, tags: tags)
    }

    /// A child scope `<kind><value>.` whose value becomes a tag: the flat name keeps the value,
    /// the extracted name drops it (`cluster.backend.` → `cluster.` + envoy_cluster_name=backend).
    public func scope(_ kind: String, tag: String, value: String) -> StatScope {
        StatScope(store: store, flatPrefix: flatPrefix + kind + value + ".", extractedPrefix: extractedPrefix + kind,
                  tags: [StatTag(tag, value)] + tags)
    }

    public func name(_ suffix: String) -> StatName {
        StatName(flat: flatPrefix + suffix, extracted: extractedPrefix + suffix, tags: tags)
    }

    public func counter(_ suffix: String) -> Counter { store.counter(name(suffix)) }
    public func gauge(_ suffix: String) -> Gauge { store.gauge(name(suffix)) }

    /// A counter whose flat suffix differs from its extracted one by an extra tag, as Envoy's
    /// response-code stats do (`upstream_rq_2xx` → `upstream_rq_xx{envoy_response_code_class="2"}`).
    public func counter(_ suffix: String, extracted: String, tag: StatTag) -> Counter {
        store.counter(StatName(flat: flatPrefix + suffix, extracted: extractedPrefix + extracted, tags: [tag] + tags))
    }
}
