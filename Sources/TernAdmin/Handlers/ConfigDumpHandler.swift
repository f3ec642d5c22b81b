/// `/config_dump`: the provider's serialized `envoy.admin.v3.ConfigDump`, with Envoy's query
/// parameters passed through. Errors the provider throws as `AdminError` become its status.
struct ConfigDumpHandler: Sendable {
    let provider: any AdminProvider

    var routes: [AdminRoute] {
        [AdminRoute("/config_dump", help: "dump the current configuration", params: [
            .init("resource", "dump only this resource field (e.g. dynamic_active_clusters)"),
            .init("mask", "field mask applied to each dumped resource"),
            .init("name_regex", "dump only resources whose name matches"),
            .init("include_eds", "add the endpoint (EDS) configuration"),
        ]) { request in
            let dump = AdminConfigDumpRequest(resource: request.first("resource").flatMap { $0.isEmpty ? nil : $0 },
                                              mask: request.first("mask").flatMap { $0.isEmpty ? nil : $0 },
                                              nameRegex: request.first("name_regex").flatMap { $0.isEmpty ? nil : $0 },
                                              includeEDS: request.has("include_eds"))
            do {
                return .json(try await provider.configDump(dump))
            } catch let error as AdminError {
                return .text(error.message, status: error.status)
            } catch {
                return .text("config dump failed: \(error)\n", status: 500)
            }
        }]
    }
}
