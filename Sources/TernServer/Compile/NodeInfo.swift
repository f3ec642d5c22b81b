/// Who this proxy is (`node` in the bootstrap, overridden by `--service-node`,
/// `--service-cluster` and `--service-zone` as Envoy does).
public struct NodeInfo: Sendable, Equatable {
    public var id: String
    public var cluster: String
    public var zone: String

    public init(id: String = "", cluster: String = "", zone: String = "") {
        self.id = id
        self.cluster = cluster
        self.zone = zone
    }
}
