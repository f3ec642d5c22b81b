import TernCore

/// `/stats`: every counter and gauge as `name: value` lines sorted by name (counters and gauges
/// interleaved, as Envoy prints them), or `{"stats":[{"name":…,"value":…}]}` with `?format=json`.
/// `?format=prometheus` is `/stats/prometheus`.
struct StatsHandler: Sendable {
    let stats: StatsStore

    var routes: [AdminRoute] {
        [AdminRoute("/stats", help: "print server stats", params: Self.params) { request in
            handle(request)
        }]
    }

    static let params: [AdminRoute.Param] = [
        .init("usedonly", "only stats that have been written (counters above 0, gauges not 0)"),
        .init("filter", "regular expression that stat names must partially match"),
        .init("format", "text (default), json or prometheus"),
        .init("type", "All (default), Counters, Gauges, Histograms or TextReadouts"),
        .init("pretty", "indent JSON output"),
    ]

    func handle(_ request: AdminRequest) -> AdminResponse {
        let params: StatsParams
        switch StatsParams.parse(request, defaultFormat: .text) {
        case .success(let p): params = p
        case .failure(let e): return e.response
        }
        switch params.format {
        case .prometheus: return .text(PrometheusStatsHandler.render(stats, params))
        case .json: return .json(Self.renderJSON(stats, params))
        case .text: return .text(Self.renderText(stats, params))
        }
    }

    /// One sorted list of `(name, value text)` over the selected counters and gauges.
    static func lines(_ stats: StatsStore, _ params: StatsParams) -> [(name: String, value: AdminJSON)] {
        let (counters, gauges) = params.selected(from: stats)
        var lines: [(name: String, value: AdminJSON)] = []
        lines.reserveCapacity(counters.count + gauges.count)
        // Both inputs are sorted by flat name: merge rather than re-sort.
        var c = counters.startIndex, g = gauges.startIndex
        while c < counters.endIndex || g < gauges.endIndex {
            if g == gauges.endIndex || (c < counters.endIndex && counters[c].0.name.flat < gauges[g].0.name.flat) {
                lines.append((counters[c].0.name.flat, .int(Int64(clamping: counters[c].1))))
                c += 1
            } else {
                lines.append((gauges[g].0.name.flat, .int(gauges[g].1)))
                g += 1
            }
        }
        return lines
    }

    static func renderText(_ stats: StatsStore, _ params: StatsParams) -> String {
        var out = ""
        for line in lines(stats, params) {
            out += line.name
            out += ": "
            out += line.value.rendered()
            out += "\n"
        }
        return out
    }

    /// Envoy's JSON stats: numbers, not strings, and compact unless `?pretty`.
    static func renderJSON(_ stats: StatsStore, _ params: StatsParams) -> String {
        let items: [AdminJSON] = lines(stats, params).map { ["name": .string($0.name), "value": $0.value] }
        return AdminJSON.object([.init("stats", .array(items))]).rendered(pretty: params.pretty)
    }
}
