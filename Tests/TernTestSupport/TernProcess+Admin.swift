// Reading the proxy through its admin API, with Envoy's paths and formats: listener ports from
// `/listeners?format=json`, counters and gauges from `/stats`, Prometheus text from `/stats/prometheus`.

import Foundation

extension TernProcess {
    /// A client for this process's admin listener.
    public var admin: AdminClient { AdminClient(port: adminPort) }

    // MARK: - Listeners

    /// The bound port of the listener called `name`, from `/listeners?format=json`:
    /// `{"listener_statuses":[{"name":…,"local_address":{"socket_address":{"port_value":N}}}]}`.
    public func listenerPort(_ name: String) async throws -> Int {
        let ports = try await listenerPorts()
        guard let port = ports[name] else {
            throw HarnessError("no listener named \(name) in /listeners (have: \(ports.keys.sorted()))")
        }
        return port
    }

    /// Every listener's bound port, by name.
    public func listenerPorts() async throws -> [String: Int] {
        let response = try await admin.get("/listeners?format=json")
        guard response.status == 200,
              let root = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any],
              let statuses = root["listener_statuses"] as? [[String: Any]]
        else {
            throw HarnessError("/listeners?format=json answered \(response.status): \(response.bodyText.prefix(300))")
        }
        var ports: [String: Int] = [:]
        for status in statuses {
            guard let name = status["name"] as? String,
                  let address = status["local_address"] as? [String: Any],
                  let socket = address["socket_address"] as? [String: Any],
                  let port = socket["port_value"] as? Int
            else { continue }
            ports[name] = port
        }
        return ports
    }

    // MARK: - Stats

    /// Counters and gauges from `/stats` (`name: value` lines); histograms and text are left out.
    public func stats() async throws -> [String: Int] {
        let response = try await admin.get("/stats")
        guard response.status == 200 else {
            throw HarnessError("/stats answered \(response.status): \(response.bodyText.prefix(300))")
        }
        var stats: [String: Int] = [:]
        for line in response.bodyText.split(separator: "\n") {
            guard let colon = line.lastIndex(of: ":"),
                  let value = Int(line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
            else { continue }
            stats[String(line[..<colon])] = value
        }
        return stats
    }

    /// The stat `name`; throws, listing the names that share its first part, when there is none.
    public func stat(_ name: String) async throws -> Int {
        let all = try await stats()
        if let value = all[name] { return value }
        let family = name.split(separator: ".").prefix(2).joined(separator: ".")
        let similar = all.keys.filter { $0.hasPrefix(family) }.sorted().prefix(40)
        throw HarnessError("no stat \(name); \(family).* has: \(similar.joined(separator: ", "))")
    }

    /// Waits (bounded) until stat `name` is at least `value` and returns its last reading.
    ///
    /// Stats of a request may be counted just after its last byte reached the client, so a test
    /// reads them through this rather than once.
    @discardableResult
    public func waitForStat(_ name: String, atLeast value: Int, timeout: Duration = .seconds(5)) async throws -> Int {
        let deadline = ContinuousClock.now + timeout
        var last = try await stat(name)
        while last < value && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
            last = try await stat(name)
        }
        return last
    }

    /// The body of `/stats/prometheus`.
    public func prometheus() async throws -> String {
        let response = try await admin.get("/stats/prometheus")
        guard response.status == 200 else {
            throw HarnessError("/stats/prometheus answered \(response.status)")
        }
        return response.bodyText
    }
}
