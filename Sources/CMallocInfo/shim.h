#ifndef DEXTER_CMALLOCINFO_SHIM_H
#define DEXTER_CMALLOCINFO_SHIM_H
// What the heap holds, for the benchmarks' memory figures (Swift's Glibc module does not bring malloc.h).
#include <stdlib.h>
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
#include <malloc.h>
/// Bytes malloc has handed out and not had back, over every arena (mallinfo2: uordblks + hblkhd).
static inline long long dexter_heap_in_use(void) {
    struct mallinfo2 info = mallinfo2();
    return (long long)(info.uordblks + info.hblkhd);
}
#else
/// Unknown here: -1.
static inline long long dexter_heap_in_use(void) { return -1; }
#endif
#endif
