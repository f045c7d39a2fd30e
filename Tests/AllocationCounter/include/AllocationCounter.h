#ifndef NIGHTJAR_ALLOCATION_COUNTER_H
#define NIGHTJAR_ALLOCATION_COUNTER_H

/// Starts counting this thread's heap allocations (malloc, calloc, realloc and the aligned ones) from zero.
void nj_allocations_start(void);

/// Stops counting on this thread; returns how many allocations it made since nj_allocations_start.
long nj_allocations_stop(void);

#endif
