import Foundation
import NIOCore
import TernConfig

/// Compiles `envoy.config.route.v3.RouteConfiguration` into a `RouteConfig`, once per load.
/// Every error names its field path; routes to clusters that are not defined are errors, as
/// with Envoy's `validate_clusters` for static routes.
package enum RouteConfigCompiler {
    /// `httpFilters` are the registrations `typed_per_filter_config` entries are compiled by.
    package static func compile(_ proto: Envoy_Config_Route_V3_RouteConfiguration, path: String,
                                context: CompileContext, httpFilters: [HTTPFilterRegistration] = []) throws -> RouteConfig {
        let rcRequest = try HeaderMutations(add: proto.requestHeadersToAdd, remove: proto.requestHeadersToRemove,
                                            path: path + ".request_headers_to_add", context: context)
        let rcResponse = try HeaderMutations(add: proto.responseHeadersToAdd, remove: proto.responseHeadersToRemove,
                                             path: path + ".response_headers_to_add", context: context)
        var seenDomains: [String: String] = [:]
        var virtualHosts: [VirtualHostConfig] = []
        for (vi, vh) in proto.virtualHosts.enumerated() {
            let vpath = "\(path).virtual_hosts[\(vi)]"
            guard !vh.domains.isEmpty else { throw CompileError(vpath + ".domains", "a virtual host needs at least one domain") }
            for (di, d) in vh.domains.enumerated() {
                let key = d.lowercased()
                if let other = seenDomains[key] {
                    throw CompileError("\(vpath).domains[\(di)]", "domain '\(d)' is already used by virtual host '\(other)'")
                }
                if key.dropFirst().contains("*") && !key.hasSuffix("*") || key.filter({ $0 == "*" }).count > 1 {
                    throw CompileError("\(vpath).domains[\(di)]", "a wildcard must be a prefix '*' or suffix '*' of the domain")
                }
                seenDomains[key] = vh.name
            }
            if vh.requireTls != .none { context.warn(vpath + ".require_tls", "not implemented by Tern yet; ignored") }
            let vhRequest = try HeaderMutations(add: vh.requestHeadersToAdd, remove: vh.requestHeadersToRemove,
                                                path: vpath + ".request_headers_to_add", context: context)
            let vhResponse = try HeaderMutations(add: vh.responseHeadersToAdd, remove: vh.responseHeadersToRemove,
                                                 path: vpath + ".response_headers_to_add", context: context)
            let vhFilterConfig = try PerFilterConfigCompiler.compile(vh.typedPerFilterConfig, path: vpath + ".typed_per_filter_config",
                                                                     context: context, registry: httpFilters)
            var routes: [RouteEntry] = []
            for (ri, r) in vh.routes.enumerated() {
                let rpath = "\(vpath).routes[\(ri)]"
                let request = try HeaderMutations(add: r.requestHeadersToAdd, remove: r.requestHeadersToRemove,
                                                  path: rpath + ".request_headers_to_add", context: context)
                let response = try HeaderMutations(add: r.responseHeadersToAdd, remove: r.responseHeadersToRemove,
                                                   path: rpath + ".response_headers_to_add", context: context)
                // Envoy applies the most general level last unless most_specific_header_mutations_wins.
                let reqLevels = proto.mostSpecificHeaderMutationsWins ? [rcRequest, vhRequest, request] : [request, vhRequest, rcRequest]
                let respLevels = proto.mostSpecificHeaderMutationsWins ? [rcResponse, vhResponse, response] : [response, vhResponse, rcResponse]
                routes.append(RouteEntry(
                    name: r.name, virtualHostName: vh.name,
                    match: try compileMatch(r.match, path: rpath + ".match", context: context),
                    action: try RetryPolicyCompiler.attach(to: compileAction(r, path: rpath, context: context), route: r, virtualHost: vh,
                                                           routePath: rpath, virtualHostPath: vpath, context: context),
                    requestMutations: reqLevels, responseMutations: respLevels,
                    routeFilterConfig: try PerFilterConfigCompiler.compile(r.typedPerFilterConfig, path: rpath + ".typed_per_filter_config",
                                                                           context: context, registry: httpFilters),
                    virtualHostFilterConfig: vhFilterConfig))
            }
            virtualHosts.append(VirtualHostConfig(name: vh.name, domains: vh.domains, routes: routes))
        }
        return RouteConfig(name: proto.name, virtualHosts: virtualHosts, internalOnlyHeaders: proto.internalOnlyHeaders)
    }

    static func compileMatch(_ m: Envoy_Config_Route_V3_RouteMatch, path: String, context: CompileContext) throws -> RouteMatchRule {
        let rule: RouteMatchRule.PathRule
        switch m.pathSpecifier {
        case .prefix(let p): rule = .prefix(p)
        case .path(let p): rule = .exact(p)
        case .safeRegex(let r): rule = .regex(try CompiledRegex.compile(r.regex, path: path + ".safe_regex.regex"))
        case .pathSeparatedPrefix(let p):
            guard p.hasPrefix("/"), !p.hasSuffix("/") || p == "/", !p.contains("?"), !p.contains("#") else {
                throw CompileError(path + ".path_separated_prefix", "must start with '/' and not end with '/' or contain '?' or '#'")
            }
            rule = .separatedPrefix(p)
        case .connectMatcher: rule = .connect
        case nil: throw CompileError(path, "a route match needs one of prefix, path, safe_regex, path_separated_prefix, connect_matcher")
        }
        return RouteMatchRule(
            path: rule,
            caseSensitive: m.hasCaseSensitive ? m.caseSensitive.value : true,
            headers: try m.headers.enumerated().map { try HeaderMatch(proto: $1, path: "\(path).headers[\($0)]") },
            queryParameters: try m.queryParameters.enumerated().map {
                try QueryParameterMatch(proto: $1, path: "\(path).query_parameters[\($0)]")
            },
            grpcOnly: m.hasGrpc)
    }

    static func compileAction(_ r: Envoy_Config_Route_V3_Route, path: String, context: CompileContext) throws -> RouteEntry.Action {
        switch r.action {
        case .route(let a):
            var forward = try compileForward(a, path: path + ".route", context: context)
            try HashPolicy.attach(to: &forward, a, path: path + ".route", context: context)
            try GRPCTimeoutPolicy.attach(to: &forward, a, path: path + ".route", context: context)
            return .forward(forward)
        case .redirect(let a): return .redirect(try compileRedirect(a, path: path + ".redirect"))
        case .directResponse(let d):
            let p = path + ".direct_response"
            guard (200...599).contains(d.status) else { throw CompileError(p + ".status", "status must be in 200..599, got \(d.status)") }
            return .directResponse(status: Int(d.status), body: d.hasBody ? try readDataSource(d.body, path: p + ".body") : "")
        case nil: throw CompileError(path, "a route needs one of route, redirect, direct_response")
        }
    }

    static func compileForward(_ a: Envoy_Config_Route_V3_RouteAction, path: String, context: CompileContext) throws -> ForwardAction {
        let clusters: ForwardAction.ClusterChoice
        switch a.clusterSpecifier {
        case .cluster(let name):
            try requireCluster(name, path: path + ".cluster", context: context)
            clusters = .named(name)
        case .clusterHeader(let h): clusters = .fromHeader(h.lowercased())
        case .weightedClusters(let w):
            var targets: [WeightedTarget] = []
            for (i, c) in w.clusters.enumerated() {
                let cp = "\(path).weighted_clusters.clusters[\(i)]"
                try requireCluster(c.name, path: cp + ".name", context: context)
                targets.append(WeightedTarget(
                    name: c.name, weight: Int(c.weight.value),
                    requestMutations: try HeaderMutations(add: c.requestHeadersToAdd, remove: c.requestHeadersToRemove,
                                                          path: cp + ".request_headers_to_add", context: context),
                    responseMutations: try HeaderMutations(add: c.responseHeadersToAdd, remove: c.responseHeadersToRemove,
                                                           path: cp + ".response_headers_to_add", context: context),
                    hostRewriteLiteral: c.hostRewriteLiteral.isEmpty ? nil : c.hostRewriteLiteral,
                    metadataMatch: c.hasMetadataMatch ? LBMetadataCompiler.compile(c.metadataMatch) : nil))
            }
            let total = targets.reduce(0) { $0 + $1.weight }
            guard total > 0 else { throw CompileError(path + ".weighted_clusters", "the sum of weights must be greater than 0") }
            if w.hasTotalWeight, Int(w.totalWeight.value) != total {
                throw CompileError(path + ".weighted_clusters.total_weight", "is \(w.totalWeight.value) but the weights add up to \(total)")
            }
            clusters = .weighted(targets, total: total)
        case nil: throw CompileError(path, "a route action needs one of cluster, cluster_header, weighted_clusters")
        }
        let hostRewrite: ForwardAction.HostRewrite
        switch a.hostRewriteSpecifier {
        case .hostRewriteLiteral(let h): hostRewrite = .literal(h)
        case .autoHostRewrite(let b): hostRewrite = b.value ? .auto : .none
        case .hostRewriteHeader(let h): hostRewrite = .fromHeader(h.lowercased())
        case .hostRewritePathRegex:
            context.warn(path + ".host_rewrite_path_regex", "not implemented by Tern yet; ignored")
            hostRewrite = .none
        case nil: hostRewrite = .none
        }
        var upgrades: [String: Bool] = [:]
        for u in a.upgradeConfigs { upgrades[u.upgradeType.lowercased()] = u.hasEnabled ? u.enabled.value : true }
        let notFound: Int
        switch a.clusterNotFoundResponseCode {
        case .notFound: notFound = 404
        case .internalServerError: notFound = 500
        default: notFound = 503
        }
        var regexRewrite: RegexRewrite?
        if a.hasRegexRewrite {
            regexRewrite = RegexRewrite(pattern: try CompiledRegex.compile(a.regexRewrite.pattern.regex, path: path + ".regex_rewrite.pattern.regex"),
                                        substitution: a.regexRewrite.substitution)
        }
        let mirrors = try RequestMirrorPolicies.compile(a.requestMirrorPolicies, path: path + ".request_mirror_policies",
                                                        context: context)
        return ForwardAction(
            clusters: clusters, clusterNotFoundStatus: notFound,
            prefixRewrite: a.prefixRewrite.isEmpty ? nil : a.prefixRewrite,
            regexRewrite: regexRewrite, hostRewrite: hostRewrite, appendXForwardedHost: a.appendXForwardedHost,
            // Envoy: 15 s by default; an explicit 0 disables the timeout.
            timeout: a.hasTimeout ? (a.timeout.isZero ? nil : a.timeout.timeAmount) : .seconds(15),
            idleTimeout: a.hasIdleTimeout && !a.idleTimeout.isZero ? a.idleTimeout.timeAmount : nil,
            upgrades: upgrades, requestMirrorPolicies: mirrors)
    }

    static func compileRedirect(_ a: Envoy_Config_Route_V3_RedirectAction, path: String) throws -> RedirectAction {
        var scheme: String?
        switch a.schemeRewriteSpecifier {
        case .httpsRedirect(let b): scheme = b ? "https" : nil
        case .schemeRedirect(let s): scheme = s.lowercased()
        case nil: scheme = nil
        }
        var pathRedirect: String?
        var prefixRewrite: String?
        var regexRewrite: RegexRewrite?
        switch a.pathRewriteSpecifier {
        case .pathRedirect(let p): pathRedirect = p
        case .prefixRewrite(let p): prefixRewrite = p
        case .regexRewrite(let r):
            regexRewrite = RegexRewrite(pattern: try CompiledRegex.compile(r.pattern.regex, path: path + ".regex_rewrite.pattern.regex"),
                                        substitution: r.substitution)
        case nil: break
        }
        let status: Int
        switch a.responseCode {
        case .found: status = 302
        case .seeOther: status = 303
        case .temporaryRedirect: status = 307
        case .permanentRedirect: status = 308
        default: status = 301
        }
        return RedirectAction(scheme: scheme, host: a.hostRedirect.isEmpty ? nil : a.hostRedirect,
                              port: a.portRedirect == 0 ? nil : Int(a.portRedirect), path: pathRedirect,
                              prefixRewrite: prefixRewrite, regexRewrite: regexRewrite, status: status, stripQuery: a.stripQuery)
    }

    static func requireCluster(_ name: String, path: String, context: CompileContext) throws {
        guard !name.isEmpty else { throw CompileError(path, "cluster name must not be empty") }
        guard context.clusterNames.contains(name) else { throw CompileError(path, "unknown cluster '\(name)'") }
    }

    /// Reads a `DataSource` at compile time (Envoy reads files once at load too).
    package static func readDataSource(_ d: Envoy_Config_Core_V3_DataSource, path: String) throws -> String {
        switch d.specifier {
        case .inlineString(let s): return s
        case .inlineBytes(let b): return String(decoding: b, as: UTF8.self)
        case .filename(let f):
            guard let data = FileManager.default.contents(atPath: f) else { throw CompileError(path + ".filename", "cannot read '\(f)'") }
            return String(decoding: data, as: UTF8.self)
        case .environmentVariable(let v):
            guard let value = ProcessInfo.processInfo.environment[v] else {
                throw CompileError(path + ".environment_variable", "environment variable '\(v)' is not set")
            }
            return value
        case nil: return ""
        }
    }
}
