/*
 * heap.h - binary min-heap of nodes the owner embeds (intrusive), in the
 * owner's order.  One implementation for the per-host table's idle heap
 * (limits/hosts.c) and the fetcher's timers (fetcher/timers.c).  Only
 * sl_heap_reserve() and sl_heap_shrink() allocate: a push needs room made
 * beforehand, so an owner can reserve ahead and never fail later
 * (hosts.c) or reserve on demand (timers.c).
 */
#ifndef SL_BASE_HEAP_H
#define SL_BASE_HEAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/alloc.h"

#define SL_HEAP_NONE SIZE_MAX

struct sl_heap_node {
  size_t idx; /* place in the heap, SL_HEAP_NONE when not in one */
};

struct sl_heap {
  struct sl_heap_node **v;
  size_t n, cap;
  /* the order: true when a must come out before b */
  bool (*before)(const struct sl_heap_node *a, const struct sl_heap_node *b);
  const struct sl_alloc *alloc; /* NULL: malloc and free */
};

static inline void sl_heap_node_init(struct sl_heap_node *x)
{
  x->idx = SL_HEAP_NONE;
}

static inline bool sl_heap_holds(const struct sl_heap_node *x)
{
  return x->idx != SL_HEAP_NONE;
}

/* The first node, or NULL when empty. */
static inline struct sl_heap_node *sl_heap_top(const struct sl_heap *h)
{
  return h->n ? h->v[0] : NULL;
}

/* Makes room for n nodes in all.  0, or -1 when out of memory (the heap
   is unchanged). */
int sl_heap_reserve(struct sl_heap *h, size_t n);

/* Halves the room while the heap is less than a quarter full and above
   min; failure keeps the old room.  For owners whose heap can empty. */
void sl_heap_shrink(struct sl_heap *h, size_t min);

/* Frees the room; the heap must be empty or its nodes forgotten. */
void sl_heap_free(struct sl_heap *h);

/* Adds x, which is in no heap; the owner made sure n < cap. */
void sl_heap_push(struct sl_heap *h, struct sl_heap_node *x);

/* Takes x out; a no-op when x is in no heap. */
void sl_heap_remove(struct sl_heap *h, struct sl_heap_node *x);

/* Puts x back in order after its key changed. */
void sl_heap_update(struct sl_heap *h, struct sl_heap_node *x);

#endif
