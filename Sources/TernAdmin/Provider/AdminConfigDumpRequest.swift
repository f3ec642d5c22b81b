/// Query of `/config_dump`, passed through to the provider as Envoy defines it.
public struct AdminConfigDumpRequest: Sendable, Equatable {
    /// `?resource=`: dump only this repeated field (`dynamic_active_clusters`).
    public var resource: String?
    /// `?mask=`: a FieldMask (`cluster.name,cluster.type`) applied to each dumped message.
    public var mask: String?
    /// `?name_regex=`: keep only resources whose name matches.
    public var nameRegex: String?
    /// `?include_eds`: add the EDS config dump.
    public var includeEDS: Bool

    public init(resource: String? = nil, mask: String? = nil, nameRegex: String? = nil, includeEDS: Bool = false) {
        self.resource = resource
        self.mask = mask
        self.nameRegex = nameRegex
        self.includeEDS = includeEDS
    }
}
