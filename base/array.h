/*
 * array.h - the one capacity-doubling rule for every growable array here
 * (callback lists, error lists, rings, heaps, watcher tables, zones), so
 * the overflow check and the growth policy are written once.
 */
#ifndef SL_BASE_ARRAY_H
#define SL_BASE_ARRAY_H

#include <stddef.h>

/* Makes *pp (an array of `size`-byte elements with room for *cap) hold at
   least `need` elements: doubles from `min` (or the current capacity)
   until it fits, then reallocs.  0, or -1 when the size overflows or
   memory runs out; *pp and *cap are then unchanged.  *pp may be NULL
   with *cap 0. */
int sl_array_reserve_(void *pp, size_t *cap, size_t need, size_t size,
                      size_t min);

/* The same for an array lvalue `arr` of any element type. */
#define sl_array_reserve(arr, cap, need, min)                                 \
  sl_array_reserve_(&(arr), &(cap), (need), sizeof(*(arr)), (min))

#endif
