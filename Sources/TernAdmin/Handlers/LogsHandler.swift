/// `/logging` (POST): list loggers and change levels as Envoy's logs handler does:
/// no parameter lists them, `?level=debug` sets all, `?upstream=debug` sets one, and
/// `?paths=upstream:debug,http:info` sets several. Bad input is 400 with a usage text, followed
/// by the (unchanged) list.
struct LogsHandler: Sendable {
    let provider: any AdminProvider

    var routes: [AdminRoute] {
        [AdminRoute("/logging", help: "list or change log levels", mutatesState: true, params: [
            .init("level", "set every logger to this level"),
            .init("paths", "name1:level1,name2:level2,... to set several loggers"),
        ]) { request in
            await handle(request)
        }]
    }

    private func handle(_ request: AdminRequest) async -> AdminResponse {
        var out = ""
        var status = 200
        if let error = await change(request) {
            status = 400
            out += "error: \(error)\n\n"
            out += "usage: /logging?<name>=<level> (change single level)\n"
            out += "usage: /logging?paths=name1:level1,name2:level2,... (change multiple levels)\n"
            out += "usage: /logging?level=<level> (change all levels)\n"
            out += "levels: " + AdminLogLevel.allCases.map { "\($0.rawValue) " }.joined() + "\n"
        }
        out += "active loggers:\n"
        for logger in await provider.logLevels() {
            out += "  \(logger.name): \(logger.level.rawValue)\n"
        }
        out += "\n"
        return .text(out, status: status)
    }

    /// Applies the change the query asks for; returns the error text, or nil.
    private func change(_ request: AdminRequest) async -> String? {
        // Empty `level`/`paths` come from HTML forms; Envoy ignores them.
        let query = request.query.filter { !(($0.name == "level" || $0.name == "paths") && $0.value.isEmpty) }
        if query.isEmpty { return nil }
        guard query.count == 1, let param = query.first else { return "invalid number of parameters" }

        if param.name == "level" {
            guard let level = AdminLogLevel(rawValue: param.value) else { return "unknown logger level" }
            await provider.setAllLogLevels(level)
            return nil
        }
        var changes: [String: AdminLogLevel] = [:]
        if param.name == "paths" {
            for pair in param.value.split(separator: ",") where !pair.allSatisfy(\.isWhitespace) {
                // As absl's StrSplit with SkipWhitespace: blank pieces do not count.
                let parts = pair.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
                    .filter { !$0.allSatisfy(\.isWhitespace) }.map(String.init)
                guard parts.count == 2 else { return "empty logger name or empty logger level" }
                guard let level = AdminLogLevel(rawValue: parts[1]) else { return "unknown logger level" }
                changes[parts[0]] = level
            }
        } else {
            guard let level = AdminLogLevel(rawValue: param.value) else { return "unknown logger level" }
            changes[param.name] = level
        }
        // Every name must be a known logger, or nothing changes.
        let known = Set(await provider.logLevels().map(\.name))
        guard changes.keys.allSatisfy(known.contains) else { return "unknown logger name" }
        await provider.setLogLevels(changes)
        return nil
    }
}
