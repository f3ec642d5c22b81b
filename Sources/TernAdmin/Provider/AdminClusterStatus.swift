/// One active cluster as `/clusters` shows it (Envoy's `envoy.admin.v3.ClusterStatus`).
public struct AdminClusterStatus: Sendable {
    /// The cluster's name.
    public var name: String
    /// `alt_stat_name` or the name: the name its stats use.
    public var observabilityName: String
    /// True for clusters from CDS rather than the bootstrap.
    public var addedViaAPI: Bool
    /// `eds_cluster_config.service_name`, empty when unset.
    public var edsServiceName: String
    /// Circuit-breaker limits at DEFAULT priority.
    public var defaultPriority: Thresholds
    /// Circuit-breaker limits at HIGH priority.
    public var highPriority: Thresholds
    /// Outlier detection figures; nil when the cluster has no outlier detector.
    public var outlier: Outlier?
    /// Hosts of every priority, in the order to print them.
    public var hosts: [Host]

    public init(name: String, observabilityName: String? = nil, addedViaAPI: Bool = false, edsServiceName: String = "",
                defaultPriority: Thresholds = Thresholds(), highPriority: Thresholds = Thresholds(),
                outlier: Outlier? = nil, hosts: [Host] = []) {
        self.name = name
        self.observabilityName = observabilityName ?? name
        self.addedViaAPI = addedViaAPI
        self.edsServiceName = edsServiceName
        self.defaultPriority = defaultPriority
        self.highPriority = highPriority
        self.outlier = outlier
        self.hosts = hosts
    }

    /// Circuit-breaker maxima for one priority; Envoy's defaults unless configured.
    public struct Thresholds: Sendable, Equatable {
        public var maxConnections: UInt64
        public var maxPendingRequests: UInt64
        public var maxRequests: UInt64
        public var maxRetries: UInt64

        public init(maxConnections: UInt64 = 1024, maxPendingRequests: UInt64 = 1024, maxRequests: UInt64 = 1024,
                    maxRetries: UInt64 = 3) {
            self.maxConnections = maxConnections
            self.maxPendingRequests = maxPendingRequests
            self.maxRequests = maxRequests
            self.maxRetries = maxRetries
        }
    }

    /// Outlier detector figures for the last interval; -1 where nothing was computed.
    public struct Outlier: Sendable, Equatable {
        public var successRateAverage: Double
        public var successRateEjectionThreshold: Double
        public var localOriginSuccessRateAverage: Double
        public var localOriginSuccessRateEjectionThreshold: Double

        public init(successRateAverage: Double = -1, successRateEjectionThreshold: Double = -1,
                    localOriginSuccessRateAverage: Double = -1, localOriginSuccessRateEjectionThreshold: Double = -1) {
            self.successRateAverage = successRateAverage
            self.successRateEjectionThreshold = successRateEjectionThreshold
            self.localOriginSuccessRateAverage = localOriginSuccessRateAverage
            self.localOriginSuccessRateEjectionThreshold = localOriginSuccessRateEjectionThreshold
        }
    }

    /// One upstream host with its stats summed over every event loop.
    public struct Host: Sendable, Equatable {
        /// `ip:port` (`[v6]:port` for IPv6), or a pipe path.
        public var address: String
        public var hostname: String
        public var weight: UInt32
        public var priority: UInt32
        /// `healthy`, or Envoy's flags concatenated: `/failed_active_hc/failed_outlier_check`.
        public var healthFlags: String
        public var region: String
        public var zone: String
        public var subZone: String
        public var canary: Bool
        /// Outlier success rate (0–100), -1 when not computed.
        public var successRate: Double
        public var localOriginSuccessRate: Double
        public var cxTotal: UInt64
        public var cxActive: UInt64
        public var cxConnectFail: UInt64
        public var rqTotal: UInt64
        public var rqActive: UInt64
        public var rqSuccess: UInt64
        public var rqError: UInt64
        public var rqTimeout: UInt64

        public init(address: String, hostname: String = "", weight: UInt32 = 1, priority: UInt32 = 0,
                    healthFlags: String = "healthy", region: String = "", zone: String = "", subZone: String = "",
                    canary: Bool = false, successRate: Double = -1, localOriginSuccessRate: Double = -1,
                    cxTotal: UInt64 = 0, cxActive: UInt64 = 0, cxConnectFail: UInt64 = 0, rqTotal: UInt64 = 0,
                    rqActive: UInt64 = 0, rqSuccess: UInt64 = 0, rqError: UInt64 = 0, rqTimeout: UInt64 = 0) {
            self.address = address
            self.hostname = hostname
            self.weight = weight
            self.priority = priority
            self.healthFlags = healthFlags
            self.region = region
            self.zone = zone
            self.subZone = subZone
            self.canary = canary
            self.successRate = successRate
            self.localOriginSuccessRate = localOriginSuccessRate
            self.cxTotal = cxTotal
            self.cxActive = cxActive
            self.cxConnectFail = cxConnectFail
            self.rqTotal = rqTotal
            self.rqActive = rqActive
            self.rqSuccess = rqSuccess
            self.rqError = rqError
            self.rqTimeout = rqTimeout
        }

        /// Envoy's per-host counters, in Envoy's declaration order (the JSON order).
        var counters: [(String, UInt64)] {
            [("cx_connect_fail", cxConnectFail), ("cx_total", cxTotal), ("rq_error", rqError),
             ("rq_success", rqSuccess), ("rq_timeout", rqTimeout), ("rq_total", rqTotal)]
        }

        /// Envoy's per-host gauges, in declaration order.
        var gauges: [(String, UInt64)] { [("cx_active", cxActive), ("rq_active", rqActive)] }
    }
}
