// Linked into the test binary, these definitions take the place of glibc's allocator entry points
// for the whole process (the executable comes first in symbol lookup), count the calls of a
// thread that asked to be counted and hand every call to glibc's own implementation. Counting is
// per thread so that tests running in parallel do not add to each other's counts. free is left to
// glibc: the memory is glibc's either way, and only allocations are counted.
#define _GNU_SOURCE
#include "AllocationCounter.h"
#include <errno.h>
#include <stddef.h>

extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t count, size_t size);
extern void *__libc_realloc(void *pointer, size_t size);
extern void *__libc_memalign(size_t alignment, size_t size);

static _Thread_local int counting;
static _Thread_local long allocations;

static inline void counted(void) {
    if (counting) allocations += 1;
}

void nj_allocations_start(void) {
    allocations = 0;
    counting = 1;
}

long nj_allocations_stop(void) {
    counting = 0;
    return allocations;
}

void *malloc(size_t size) {
    counted();
    return __libc_malloc(size);
}

void *calloc(size_t count, size_t size) {
    counted();
    return __libc_calloc(count, size);
}

void *realloc(void *pointer, size_t size) {
    counted();
    return __libc_realloc(pointer, size);
}

void *memalign(size_t alignment, size_t size) {
    counted();
    return __libc_memalign(alignment, size);
}

void *aligned_alloc(size_t alignment, size_t size) {
    counted();
    return __libc_memalign(alignment, size);
}

int posix_memalign(void **out, size_t alignment, size_t size) {
    // glibc's own checks: a power of two that is a multiple of the pointer size.
    if (alignment % sizeof(void *) != 0 || (alignment & (alignment - 1)) != 0 || alignment == 0) return EINVAL;
    counted();
    void *pointer = __libc_memalign(alignment, size);
    if (pointer == NULL) return ENOMEM;
    *out = pointer;
    return 0;
}
