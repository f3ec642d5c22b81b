import NIOCore
import SwiftProtobuf
import TernConfig
import TernCore
import TernHTTP
import TernUpstream

/// Compiles one `envoy.config.cluster.v3.Cluster` into a `ClusterConfig`, with Envoy's defaults.
/// Features Tern does not implement yet are warnings naming their path when the cluster still
/// behaves sensibly without them, and errors when it would not (EDS without a control plane).
struct ClusterCompiler {
    let context: CompileContext
    /// Whether the bootstrap has `dynamic_resources` (an EDS cluster then waits for xDS).
    let hasDynamicResources: Bool

    static let httpProtocolOptionsKey = "envoy.extensions.upstreams.http.v3.HttpProtocolOptions"

    func compile(_ c: Envoy_Config_Cluster_V3_Cluster, path: String) throws -> ClusterConfig {
        let discovery = try discoveryType(c, path: path)
        let endpoints = discovery == nil ? [] : try self.endpoints(c, discovery: discovery!, path: path)
        warnUnimplemented(c, path: path)

        if c.hasConnectTimeout, c.connectTimeout.seconds <= 0, c.connectTimeout.nanos <= 0 {
            throw CompileError("\(path).connect_timeout", "must be greater than 0")
        }
        let refresh = ProtoValues.timeAmount(c.dnsRefreshRate, isSet: c.hasDnsRefreshRate, default: .seconds(5))
        if c.hasDnsRefreshRate, refresh <= .milliseconds(1) {
            throw CompileError("\(path).dns_refresh_rate", "must be greater than 1ms")
        }
        let options = try httpOptions(c, path: path)
        var maxRequests: Int? = c.hasMaxRequestsPerConnection ? Int(c.maxRequestsPerConnection.value) : nil
        if let o = options, o.hasMaxRequestsPerConnection { maxRequests = Int(o.maxRequestsPerConnection.value) }
        if maxRequests == 0 { maxRequests = nil }
        var idle: TimeAmount? = .hours(1)
        if let o = options, o.hasIdleTimeout { idle = ProtoValues.timeAmount(o.idleTimeout) }
        if idle == .zero { idle = nil }

        let statName = c.altStatName.isEmpty ? c.name : c.altStatName
        let lb = try LoadBalancerCompiler(context: context).compile(c, statName: statName, path: path)
        let transportSocket = c.hasTransportSocket
            ? try TLSContextCompiler(context: context).upstream(c.transportSocket, path: "\(path).transport_socket",
                                                                statName: statName)
            : nil
        // Certificates read from files belong to the cluster's identity: after a rotation a
        // reload replaces the cluster even though its config text did not change.
        let tlsDigest = (transportSocket as? UpstreamTLSTransportSocketFactory)?.context.sourceDigest ?? []
        var config = ClusterConfig(
            name: c.name, statName: statName, discovery: discovery ?? .staticHosts, endpoints: endpoints,
            connectTimeout: ProtoValues.timeAmount(c.connectTimeout, isSet: c.hasConnectTimeout, default: .seconds(5)),
            dnsRefreshRate: refresh, respectDNSTTL: c.respectDnsTtl, dnsLookupFamily: family(c.dnsLookupFamily),
            maxRequestsPerConnection: maxRequests, idleTimeout: idle,
            perConnectionBufferLimitBytes: c.hasPerConnectionBufferLimitBytes
                ? Int(c.perConnectionBufferLimitBytes.value) : 1_048_576,
            stats: ClusterStats(root: context.stats.root, statName: statName),
            fingerprint: try Fingerprint.of(c, path: path) + tlsDigest, lb: lb)
        config.circuitBreakers = try CircuitBreakersCompiler.compile(c, path: path, statName: statName, context: context)
        config.health = try HealthCheckCompiler(context: context).clusterHealth(c, statName: statName, path: path)
        config.httpProtocol = try ClusterHTTPProtocolCompiler(context: context).compile(c, path: path)
        config.transportSocket = transportSocket
        return config
    }

    // MARK: - discovery

    /// The discovery kind; nil for kinds that get no hosts from the bootstrap (EDS waiting for
    /// xDS, ORIGINAL_DST), which compile to a cluster with no hosts.
    private func discoveryType(_ c: Envoy_Config_Cluster_V3_Cluster, path: String) throws -> ClusterConfig.Discovery? {
        switch c.clusterDiscoveryType {
        case nil, .type(.static)?: return .staticHosts
        case .type(.strictDns)?: return .strictDNS
        case .type(.logicalDns)?: return .logicalDNS
        case .type(.eds)?:
            guard hasDynamicResources else {
                throw CompileError("\(path).type", "EDS cluster needs a control plane (dynamic_resources), and there is none")
            }
            context.warn("\(path).type", "EDS is not implemented by Tern yet; the cluster has no hosts")
            return nil
        case .type(.originalDst)?:
            context.warn("\(path).type", "ORIGINAL_DST is not implemented by Tern yet; the cluster has no hosts")
            return nil
        case .type(.UNRECOGNIZED(let v))?:
            throw CompileError("\(path).type", "unknown discovery type \(v)")
        case .clusterType(let custom)?:
            throw CompileError("\(path).cluster_type", "custom cluster type '\(custom.name)' is not supported")
        }
    }

    private func endpoints(_ c: Envoy_Config_Cluster_V3_Cluster, discovery: ClusterConfig.Discovery,
                           path: String) throws -> [EndpointConfig] {
        var out: [EndpointConfig] = []
        var localities: [[String]: Int] = [:]
        for (i, locality) in c.loadAssignment.endpoints.enumerated() {
            let lp = "\(path).load_assignment.endpoints[\(i)]"
            if locality.hasLoadBalancingWeight, locality.loadBalancingWeight.value == 0 {
                throw CompileError("\(lp).load_balancing_weight", "must be at least 1")
            }
            let localityWeight = locality.hasLoadBalancingWeight ? Int(locality.loadBalancingWeight.value) : nil
            // As Envoy: a locality is its region/zone/sub_zone, so entries naming the same one share it.
            let place = [locality.locality.region, locality.locality.zone, locality.locality.subZone]
            let localityIndex = localities[place] ?? localities.count
            localities[place] = localityIndex
            for (j, lb) in locality.lbEndpoints.enumerated() {
                let ep = "\(lp).lb_endpoints[\(j)]"
                guard case .endpoint(let endpoint)? = lb.hostIdentifier, endpoint.hasAddress else {
                    throw CompileError("\(ep).endpoint.address", "an endpoint address is required")
                }
                let ap = "\(ep).endpoint.address"
                let sa: Envoy_Config_Core_V3_SocketAddress
                switch endpoint.address.address {
                case .socketAddress(let s)?: sa = s
                case .pipe?: throw CompileError("\(ap).pipe", "pipe (Unix domain socket) endpoints are not supported yet")
                case nil: throw CompileError(ap, "an endpoint address is required")
                }
                let port = try AddressCompiler.port(sa, path: "\(ap).socket_address")
                if discovery == .staticHosts, (try? SocketAddress(ipAddress: sa.address, port: port)) == nil {
                    throw CompileError("\(ap).socket_address.address",
                                       "'\(sa.address)' is not an IP address (a STATIC cluster cannot resolve names)")
                }
                if lb.hasLoadBalancingWeight, lb.loadBalancingWeight.value == 0 {
                    throw CompileError("\(ep).load_balancing_weight", "must be at least 1")
                }
                let weight = lb.hasLoadBalancingWeight ? Int(lb.loadBalancingWeight.value) : 1
                // Envoy's EDS health: these take the host out of the healthy set from the start.
                let edsUnhealthy = [.unhealthy, .draining, .timeout].contains(lb.healthStatus)
                out.append(EndpointConfig(address: sa.address, port: port, weight: weight, priority: Int(locality.priority),
                                          metadata: lb.hasMetadata ? LBMetadataCompiler.compile(lb.metadata) ?? [:] : [:],
                                          locality: localityIndex, localityWeight: localityWeight,
                                          edsUnhealthy: edsUnhealthy))
                try HealthCheckCompiler.applyEndpointConfig(endpoint, to: &out[out.count - 1],
                                                            path: "\(ep).endpoint.health_check_config", context: context)
            }
        }
        if discovery == .logicalDNS, out.count != 1 {
            throw CompileError("\(path).load_assignment", "a LOGICAL_DNS cluster must have exactly one endpoint")
        }
        return out
    }

    // MARK: - options

    /// `typed_extension_protocol_options[envoy.extensions.upstreams.http.v3.HttpProtocolOptions]
    /// .common_http_protocol_options`, else the cluster's deprecated `common_http_protocol_options`.
    private func httpOptions(_ c: Envoy_Config_Cluster_V3_Cluster, path: String) throws -> Envoy_Config_Core_V3_HttpProtocolOptions? {
        if let any = c.typedExtensionProtocolOptions[Self.httpProtocolOptionsKey] {
            let p = "\(path).typed_extension_protocol_options[\"\(Self.httpProtocolOptionsKey)\"]"
            do {
                let o = try Envoy_Extensions_Upstreams_Http_V3_HttpProtocolOptions(unpackingAny: any)
                if o.hasCommonHTTPProtocolOptions { return o.commonHTTPProtocolOptions }
            } catch {
                throw CompileError(p, "\(error)")
            }
        }
        return c.hasCommonHTTPProtocolOptions ? c.commonHTTPProtocolOptions : nil
    }

    private func family(_ f: Envoy_Config_Cluster_V3_Cluster.DnsLookupFamily) -> ClusterConfig.DNSLookupFamily {
        switch f {
        case .auto, .UNRECOGNIZED: .auto
        case .v4Only: .v4Only
        case .v6Only: .v6Only
        case .v4Preferred: .v4Preferred
        case .all: .all
        }
    }

    private func warnUnimplemented(_ c: Envoy_Config_Cluster_V3_Cluster, path: String) {
        if c.hasUpstreamBindConfig {
            context.warn("\(path).upstream_bind_config", "not implemented by Tern yet; ignored")
        }
    }
}
