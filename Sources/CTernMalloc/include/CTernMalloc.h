#ifndef CTERN_MALLOC_H
#define CTERN_MALLOC_H

#include <stddef.h>

/// The allocator's totals, from glibc's mallinfo2 (which Swift's Glibc module does not import).
typedef struct {
    /// Bytes in chunks handed out and not freed (small ones in arenas plus mmapped ones).
    size_t allocated;
    /// Bytes the allocator holds from the system: arenas plus mmapped chunks.
    size_t heap;
    /// Bytes free inside the arenas.
    size_t free_in_heap;
} ctern_malloc_totals;

ctern_malloc_totals ctern_malloc_totals_read(void);

#endif
