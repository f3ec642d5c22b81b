/// A request or connection outcome the data path reports to a host's outlier monitor (Envoy's
/// `Outlier::Result`). HTTP responses are reported with `putHTTPStatus` instead.
public enum OutlierResult: Sendable, Equatable {
    /// The connection was made; a higher-layer protocol will report the real outcome (HTTP).
    case localOriginConnectSuccess
    /// The connection was made and that is the whole outcome (TCP proxy).
    case localOriginConnectSuccessFinal
    case localOriginConnectFailed
    /// A route or connect timeout.
    case localOriginTimeout
    /// The upstream answered, and the answer was a failure (non-HTTP protocols).
    case externalOriginRequestFailed
    case externalOriginRequestSuccess
}
