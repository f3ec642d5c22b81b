#include "CTernMalloc.h"

#include <malloc.h>

ctern_malloc_totals ctern_malloc_totals_read(void) {
    struct mallinfo2 info = mallinfo2();
    ctern_malloc_totals totals = {
        .allocated = info.uordblks + info.hblkhd,
        .heap = info.arena + info.hblkhd,
        .free_in_heap = info.fordblks,
    };
    return totals;
}
