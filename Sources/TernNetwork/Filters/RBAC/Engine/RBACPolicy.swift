/// A compiled `envoy.config.rbac.v3.Policy`: matches when some permission and some principal do.
public struct RBACPolicy: Sendable {
    public let permissions: [RBACPermission]
    public let principals: [RBACPrincipal]

    public init(permissions: [RBACPermission], principals: [RBACPrincipal]) {
        self.permissions = permissions
        self.principals = principals
    }

    public func matches(_ request: RBACRequest) -> Bool {
        permissions.contains { $0.matches(request) } && principals.contains { $0.matches(request) }
    }
}
