import TernCore

/// `/stats/prometheus`: Envoy's Prometheus text exposition. Stats are grouped by tag-extracted
/// name; each group prints `# TYPE envoy_<name> counter|gauge` and then one sample per stat,
/// `envoy_<name>{<tags in the stat's order>} <value>` (`{}` when untagged, as Envoy prints it).
/// All counter groups come first, then all gauge groups; groups are sorted by extracted name and
/// samples by flat name, both compared dot-segment by dot-segment as Envoy's symbol table does.
struct PrometheusStatsHandler: Sendable {
    let stats: StatsStore

    var routes: [AdminRoute] {
        [AdminRoute("/stats/prometheus", help: "print server stats in Prometheus text format",
                    params: StatsHandler.params.filter { $0.name != "format" }) { request in
            switch StatsParams.parse(request, defaultFormat: .prometheus) {
            case .success(let params): return .text(Self.render(stats, params))
            case .failure(let e): return e.response
            }
        }]
    }

    /// The exposition text for the selected stats.
    static func render(_ stats: StatsStore, _ params: StatsParams) -> String {
        let (counters, gauges) = params.selected(from: stats)
        var out = ""
        appendGroups(counters.map { ($0.0.name, String($0.1)) }, type: "counter", to: &out)
        appendGroups(gauges.map { ($0.0.name, String($0.1)) }, type: "gauge", to: &out)
        return out
    }

    private static func appendGroups(_ samples: [(StatName, String)], type: String, to out: inout String) {
        var groups: [String: [(StatName, String)]] = [:]
        for sample in samples { groups[sample.0.extracted, default: []].append(sample) }
        for extracted in groups.keys.sorted(by: segmentLess) {
            let group = groups[extracted]!.sorted { segmentLess($0.0.flat, $1.0.flat) }
            let metric = group[0].0.prometheusName
            out += "# TYPE \(metric) \(type)\n"
            for (name, value) in group {
                out += metric
                out += "{"
                out += labels(name.tags)
                out += "} "
                out += value
                out += "\n"
            }
        }
    }

    /// `name="value"` pairs joined by commas, in the stat's tag order (Envoy's extraction order:
    /// innermost first, e.g. `envoy_response_code_class` before `envoy_cluster_name`).
    static func labels(_ tags: [StatTag]) -> String {
        var out = ""
        for (i, tag) in tags.enumerated() {
            if i > 0 { out += "," }
            out += sanitizedName(tag.name)
            out += "=\""
            out += escapedValue(tag.value)
            out += "\""
        }
        return out
    }

    /// Label names may hold only `[a-zA-Z0-9_]`; every other byte becomes `_`, as Envoy does.
    static func sanitizedName(_ name: String) -> String {
        let isValid = name.utf8.allSatisfy { b in
            (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x5F
        }
        if isValid { return name }
        let bytes = name.utf8.map { b -> UInt8 in
            (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x5F ? b : 0x5F
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Prometheus label value escaping: `\` → `\\`, newline → `\n`, `"` → `\"`.
    static func escapedValue(_ value: String) -> String {
        guard value.contains(where: { $0 == "\\" || $0 == "\"" || $0 == "\n" }) else { return value }
        var out = ""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// Envoy's `StatNameLessThan`: compare the dot-separated segments one by one (bytewise), so
    /// `a.b` sorts before `a-c.x` even though `-` < `.` in plain string order.
    static func segmentLess(_ a: String, _ b: String) -> Bool {
        var ai = a.utf8.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false).makeIterator()
        var bi = b.utf8.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false).makeIterator()
        while true {
            switch (ai.next(), bi.next()) {
            case (nil, nil): return false
            case (nil, _): return true
            case (_, nil): return false
            case (let x?, let y?):
                if x.elementsEqual(y) { continue }
                return x.lexicographicallyPrecedes(y)
            }
        }
    }
}
