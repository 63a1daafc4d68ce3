#ifndef TAKT_PREFETCH_H
#define TAKT_PREFETCH_H

/* Asks the processor to start loading the cache line at p, for writing, without waiting for it.
   Swift has no prefetch; a static inline function is inlined into the Swift caller. */
static inline void takt_prefetch(const void *p) {
    __builtin_prefetch(p, 1, 3);
}

#endif
