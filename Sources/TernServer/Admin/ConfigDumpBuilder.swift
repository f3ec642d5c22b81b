import Foundation
import SwiftProtobuf
import TernAdmin
import TernConfig

/// `/config_dump` for a static bootstrap: Envoy's `envoy.admin.v3.ConfigDump` JSON with the
/// bootstrap, the static clusters and the static listeners (proto field names, as Envoy prints
/// them). `resource=` dumps one repeated field's entries, `name_regex=` filters them by name, and
/// `mask=` trims each resource message (paths relative to the dumped entry, e.g. `cluster.name`).
struct ConfigDumpBuilder {
    let snapshot: Snapshot
    let lastUpdated: Date

    private static let adminPrefix = "type.googleapis.com/envoy.admin.v3."

    /// One dumped resource: its name, the field it sits in, and its message.
    private struct Entry {
        let name: String
        let field: String
        let message: any SwiftProtobuf.Message
    }

    func render(_ request: AdminConfigDumpRequest) throws -> String {
        let regex = try request.nameRegex.map { pattern in
            do { return try NSRegularExpression(pattern: "^(?:\(pattern))$") } catch {
                throw AdminError(status: 400, message: "invalid name_regex: \(pattern)\n")
            }
        }
        let clusters = snapshot.bootstrap.staticResources.clusters.map { Entry(name: $0.name, field: "cluster", message: $0) }
        let listeners = zip(snapshot.listeners, snapshot.bootstrap.staticResources.listeners).map {
            Entry(name: $0.0.name, field: "listener", message: $0.1)
        }
        func keep(_ entries: [Entry]) -> [Entry] {
            guard let regex else { return entries }
            return entries.filter { e in
                regex.firstMatch(in: e.name, range: NSRange(e.name.startIndex..., in: e.name)) != nil
            }
        }
        if let resource = request.resource {
            let (type, entries): (String, [Entry])
            switch resource {
            case "static_clusters": (type, entries) = ("ClustersConfigDump.StaticCluster", keep(clusters))
            case "static_listeners": (type, entries) = ("ListenersConfigDump.StaticListener", keep(listeners))
            case "dynamic_active_clusters", "dynamic_warming_clusters", "dynamic_listeners":
                (type, entries) = ("", [])
            default:
                throw AdminError(status: 404, message: "resource \(resource) not found in config dump\n")
            }
            let items = try entries.map { try wrapped($0, type: type, mask: request.mask) }
            return "{\"configs\":[\(items.joined(separator: ","))]}"
        }
        let bootstrap = try json(snapshot.bootstrap, mask: nil)
        let parts = [
            "{\"@type\":\"\(Self.adminPrefix)BootstrapConfigDump\",\"bootstrap\":\(bootstrap),\"last_updated\":\(timestamp)}",
            "{\"@type\":\"\(Self.adminPrefix)ClustersConfigDump\",\"static_clusters\":["
                + (try keep(clusters).map { try wrapped($0, type: nil, mask: request.mask) }.joined(separator: ",")) + "]}",
            "{\"@type\":\"\(Self.adminPrefix)ListenersConfigDump\",\"static_listeners\":["
                + (try keep(listeners).map { try wrapped($0, type: nil, mask: request.mask) }.joined(separator: ",")) + "]}",
        ]
        return "{\"configs\":[\(parts.joined(separator: ","))]}"
    }

    private var timestamp: String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return "\"\(formatter.string(from: lastUpdated))\""
    }

    /// `{"@type": ..., "cluster": {"@type": ".../Cluster", ...}, "last_updated": ...}`.
    private func wrapped(_ entry: Entry, type: String?, mask: String?) throws -> String {
        let fieldMask = mask.map { m in
            m.split(separator: ",").map { path -> String in
                let p = String(path)
                return p.hasPrefix(entry.field + ".") ? String(p.dropFirst(entry.field.count + 1)) : p
            }
        }
        let body = try json(entry.message, mask: fieldMask)
        let head = type.map { "\"@type\":\"\(Self.adminPrefix)\($0)\"," } ?? ""
        return "{\(head)\"\(entry.field)\":\(body),\"last_updated\":\(timestamp)}"
    }

    /// The message as an `Any`-style JSON object (with `@type`), trimmed to `mask` when given.
    private func json(_ message: any SwiftProtobuf.Message, mask: [String]?) throws -> String {
        var options = JSONEncodingOptions()
        options.preserveProtoFieldNames = true
        do {
            var any = try Google_Protobuf_Any(message: message)
            if let mask, !mask.isEmpty {
                any = try Google_Protobuf_Any(message: Self.trim(message, to: mask))
            }
            return try any.jsonString(options: options)
        } catch {
            throw AdminError(status: 500, message: "cannot render config dump: \(error)\n")
        }
    }

    private static func trim(_ message: any SwiftProtobuf.Message, to paths: [String]) -> any SwiftProtobuf.Message {
        let mask = Google_Protobuf_FieldMask(protoPaths: paths)
        switch message {
        case var c as Envoy_Config_Cluster_V3_Cluster:
            c.trim(keeping: mask)
            return c
        case var l as Envoy_Config_Listener_V3_Listener:
            l.trim(keeping: mask)
            return l
        default:
            return message
        }
    }
}
