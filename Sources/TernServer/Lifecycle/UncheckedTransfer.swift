/// Carries a loop-confined object off its loop. Only for handing a worker's objects to an API
/// that uses them on their own loop again (`ClusterManager`); never dereferenced elsewhere.
struct UncheckedTransfer<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
