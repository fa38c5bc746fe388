/*
 * heap.c - binary min-heap of embedded nodes.  See heap.h.
 */
#include "base/heap.h"

#include <stdint.h>
#include <string.h>

/* Moves the nodes to an array of cap (>= n) entries.  0 or -1. */
static int resize(struct sl_heap *h, size_t cap)
{
  struct sl_heap_node **v;
  if(cap > SIZE_MAX / sizeof(*v))
    return -1;
  v = sl_alloc_malloc(h->alloc, cap * sizeof(*v));
  if(!v)
    return -1;
  if(h->n)
    memcpy(v, h->v, h->n * sizeof(*v));
  sl_alloc_free(h->alloc, h->v);
  h->v = v;
  h->cap = cap;
  return 0;
}

int sl_heap_reserve(struct sl_heap *h, size_t n)
{
  size_t cap = h->cap ? h->cap : 16;
  if(n <= h->cap)
    return 0;
  while(cap < n) {
    if(cap > SIZE_MAX / 2)
      return -1;
    cap *= 2;
  }
  return resize(h, cap);
}

void sl_heap_shrink(struct sl_heap *h, size_t min)
{
  if(h->cap > min && h->cap / 2 >= min && h->n < h->cap / 4)
    (void)resize(h, h->cap / 2);
}

void sl_heap_free(struct sl_heap *h)
{
  sl_alloc_free(h->alloc, h->v);
  h->v = NULL;
  h->n = h->cap = 0;
}

static void put(struct sl_heap *h, size_t i, struct sl_heap_node *x)
{
  h->v[i] = x;
  x->idx = i;
}

static void sift_up(struct sl_heap *h, size_t i)
{
  struct sl_heap_node *x = h->v[i];
  while(i > 0) {
    size_t parent = (i - 1) / 2;
    if(!h->before(x, h->v[parent]))
      break;
    put(h, i, h->v[parent]);
    i = parent;
  }
  put(h, i, x);
}

static void sift_down(struct sl_heap *h, size_t i)
{
  struct sl_heap_node *x = h->v[i];
  for(;;) {
    size_t c = 2 * i + 1;
    if(c >= h->n)
      break;
    if(c + 1 < h->n && h->before(h->v[c + 1], h->v[c]))
      c++;
    if(!h->before(h->v[c], x))
      break;
    put(h, i, h->v[c]);
    i = c;
  }
  put(h, i, x);
}

void sl_heap_push(struct sl_heap *h, struct sl_heap_node *x)
{
  put(h, h->n++, x);
  sift_up(h, x->idx);
}

void sl_heap_update(struct sl_heap *h, struct sl_heap_node *x)
{
  sift_up(h, x->idx);
  sift_down(h, x->idx);
}

void sl_heap_remove(struct sl_heap *h, struct sl_heap_node *x)
{
  size_t i = x->idx;
  struct sl_heap_node *last;
  if(i == SL_HEAP_NONE)
    return;
  x->idx = SL_HEAP_NONE;
  last = h->v[--h->n];
  if(last == x)
    return;
  put(h, i, last);
  sl_heap_update(h, last);
}
