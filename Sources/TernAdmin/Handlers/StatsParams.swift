import TernCore

/// The query of `/stats` and `/stats/prometheus`, parsed and checked once per request as Envoy's
/// `StatsParams::parse` does, with the same 400 answers for bad values.
struct StatsParams {
    /// `?format=`; Tern serves text, json and prometheus (no HTML pages).
    enum Format: String { case text, json, prometheus }
    /// `?type=`, spelled as Envoy spells it.
    enum StatType: String { case all = "All", counters = "Counters", gauges = "Gauges", histograms = "Histograms",
                                 textReadouts = "TextReadouts" }

    var usedOnly = false
    /// `?pretty`: indent JSON output.
    var pretty = false
    var filter: Regex<AnyRegexOutput>?
    var type: StatType = .all
    var format: Format = .text

    /// Parses `request`, or returns the 400 answer Envoy gives.
    static func parse(_ request: AdminRequest, defaultFormat: Format) -> Result<StatsParams, AdminErrorResponse> {
        var params = StatsParams()
        params.format = defaultFormat
        params.usedOnly = request.has("usedonly")
        params.pretty = request.has("pretty")
        if let pattern = request.first("filter"), !pattern.isEmpty {
            // Compiled once per request; Envoy uses RE2 partial match, Swift Regex is close enough
            // for the filters people write (`^cluster\.backend\.`, `upstream_rq_(2|5)xx`).
            guard let regex = try? Regex(pattern) else { return .failure(.init(.text("Invalid re2 regex", status: 400))) }
            params.filter = regex
        }
        if let type = request.first("type"), !type.isEmpty {
            guard let parsed = StatType(rawValue: type) else {
                return .failure(.init(.text("invalid &type= param", status: 400)))
            }
            params.type = parsed
        }
        if let format = request.first("format"), !format.isEmpty {
            switch format {
            case "text", "json", "prometheus": params.format = Format(rawValue: format)!
            case "html", "active-html":
                return .failure(.init(.text("HTML output is not available in Tern's admin", status: 400)))
            default:
                return .failure(.init(.text("usage: /stats?format=(html|active-html|json|prometheus|text)\n\n", status: 400)))
            }
        }
        return .success(params)
    }

    var wantsCounters: Bool { type == .all || type == .counters }
    var wantsGauges: Bool { type == .all || type == .gauges }

    /// Envoy's `shouldShowMetric`: `usedonly` keeps stats that were written (Tern: counters above 0,
    /// gauges not 0), and `filter` is a partial match on the flat name.
    func shows(name: String, used: Bool) -> Bool {
        if usedOnly, !used { return false }
        if let filter, !name.contains(filter) { return false }
        return true
    }

    /// The counters and gauges to show, each read once: `(name, value)` sorted by flat name.
    func selected(from stats: StatsStore) -> (counters: [(Counter, UInt64)], gauges: [(Gauge, Int64)]) {
        let all = stats.all()
        var counters: [(Counter, UInt64)] = []
        var gauges: [(Gauge, Int64)] = []
        if wantsCounters {
            for c in all.counters {
                let v = c.value
                if shows(name: c.name.flat, used: v > 0) { counters.append((c, v)) }
            }
        }
        if wantsGauges {
            for g in all.gauges {
                let v = g.value
                if shows(name: g.name.flat, used: v != 0) { gauges.append((g, v)) }
            }
        }
        return (counters, gauges)
    }
}

/// A ready 4xx answer carried through `Result` (AdminResponse itself is not an `Error`).
struct AdminErrorResponse: Error {
    let response: AdminResponse
    init(_ response: AdminResponse) { self.response = response }
}
