/*
 * alloc.h - an optional allocator for the containers that tests starve
 * (c-ares's tests inject allocation failures the same way): the hash
 * table and the heap take one, NULL meaning malloc and free.
 */
#ifndef SL_BASE_ALLOC_H
#define SL_BASE_ALLOC_H

#include <stddef.h>
#include <stdlib.h>

struct sl_alloc {
  void *(*malloc_fn)(size_t n); /* NULL: malloc */
  void (*free_fn)(void *p);     /* NULL: free; never given NULL */
};

static inline void *sl_alloc_malloc(const struct sl_alloc *a, size_t n)
{
  return a && a->malloc_fn ? a->malloc_fn(n) : malloc(n);
}

static inline void sl_alloc_free(const struct sl_alloc *a, void *p)
{
  if(!p)
    return;
  if(a && a->free_fn)
    a->free_fn(p);
  else
    free(p);
}

#endif
