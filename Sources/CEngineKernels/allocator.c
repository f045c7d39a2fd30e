#include "engine_kernels.h"

#if defined(__linux__)
#include <malloc.h>
#endif

void nj_keep_freed_memory(void) {
#if defined(__GLIBC__) && defined(M_TRIM_THRESHOLD)
    // Activations of a batch are hundreds of kilobytes each. By default glibc maps such blocks
    // fresh and hands them back to the kernel when freed, or trims the heap above 2× that, so every
    // run faulted in and cleared new pages (a third of a batch-1000 MLP run). Served from the heap
    // and kept there, the next run reuses the same memory.
    mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);
    mallopt(M_TRIM_THRESHOLD, 256 * 1024 * 1024);
#endif
}
