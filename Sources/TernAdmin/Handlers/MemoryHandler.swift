import TernCore

/// `/memory`: Envoy's `envoy.admin.v3.Memory`, read from glibc's malloc (see `ProcessMemory`).
/// glibc keeps no unmapped page heap or per-thread cache totals, so those two are 0, and the
/// physical figure is the heap malloc holds.
struct MemoryHandler: Sendable {
    var routes: [AdminRoute] {
        [
            AdminRoute("/memory", help: "current memory allocation and heap usage") { _ in
                .json(Self.json(ProcessMemory.read()))
            },
        ]
    }

    /// Fields in `Memory`'s field-number order; uint64 values are JSON strings (proto3 JSON).
    static func json(_ m: ProcessMemory) -> AdminJSON {
        [
            "allocated": .string(String(m.allocated)),
            "heap_size": .string(String(m.heapSize)),
            "pageheap_unmapped": .string("0"),
            "pageheap_free": .string(String(m.pageheapFree)),
            "total_thread_cache": .string("0"),
            "total_physical_bytes": .string(String(m.heapSize)),
        ]
    }
}
