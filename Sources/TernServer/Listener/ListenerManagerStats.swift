import TernCore

/// Envoy's `listener_manager.*` stats.
final class ListenerManagerStats: Sendable {
    let listenerAdded: Counter
    let listenerModified: Counter
    let listenerRemoved: Counter
    let listenerStopped: Counter
    let listenerInPlaceUpdated: Counter
    let listenerCreateSuccess: Counter
    let listenerCreateFailure: Counter
    let totalListenersActive: Gauge
    let workersStarted: Gauge

    init(store: StatsStore) {
        let s = store.root.scope("listener_manager.")
        listenerAdded = s.counter("listener_added")
        listenerModified = s.counter("listener_modified")
        listenerRemoved = s.counter("listener_removed")
        listenerStopped = s.counter("listener_stopped")
        listenerInPlaceUpdated = s.counter("listener_in_place_updated")
        listenerCreateSuccess = s.counter("listener_create_success")
        listenerCreateFailure = s.counter("listener_create_failure")
        totalListenersActive = s.gauge("total_listeners_active")
        workersStarted = s.gauge("workers_started")
    }
}
