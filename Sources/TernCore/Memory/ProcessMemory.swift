import CTernMalloc

/// What the process's allocator holds, for Envoy's `/memory` admin endpoint and its
/// `server.memory_*` gauges. Envoy reads tcmalloc; Tern runs on glibc's malloc, so the figures
/// are glibc's: `allocated` is what live objects use, `heapSize` what malloc took from the
/// system (arenas and mmapped chunks), `pageheapFree` what is free inside the arenas. A leak
/// shows as `allocated` growing with work done while nothing more is open.
public struct ProcessMemory: Sendable, Equatable {
    public var allocated: UInt64
    public var heapSize: UInt64
    public var pageheapFree: UInt64

    /// Reads the totals now (walks every malloc arena under its lock: for admin requests and
    /// periodic gauges, not for the data path).
    public static func read() -> ProcessMemory {
        let totals = ctern_malloc_totals_read()
        return ProcessMemory(allocated: UInt64(totals.allocated), heapSize: UInt64(totals.heap),
                             pageheapFree: UInt64(totals.free_in_heap))
    }
}
