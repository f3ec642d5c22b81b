import Testing
import TernCore
@testable import TernTransport

@Suite("TLSStats")
struct TLSStatsTests {
    @Test("stats are made under the owner's ssl. scope with Envoy's names")
    func names() {
        let store = StatsStore(workers: 1)
        let scope = store.root.scope("listener.", tag: "envoy_listener_address", value: "127.0.0.1_443")
        let stats = TLSStats(scope: scope)
        stats.handshake.inc(worker: 0)
        stats.failVerifySAN.inc(worker: 0)
        let counters = Dictionary(uniqueKeysWithValues: store.all().counters.map { ($0.name.flat, $0.value) })
        #expect(counters["listener.127.0.0.1_443.ssl.handshake"] == 1)
        #expect(counters["listener.127.0.0.1_443.ssl.fail_verify_san"] == 1)
        #expect(counters["listener.127.0.0.1_443.ssl.connection_error"] == 0)
        let names = Set(counters.keys)
        #expect(names.contains("listener.127.0.0.1_443.ssl.handshake"))
        #expect(names.contains("listener.127.0.0.1_443.ssl.fail_verify_san"))
        #expect(names.contains("listener.127.0.0.1_443.ssl.connection_error"))
    }
}
