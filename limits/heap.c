/*
 * heap.c - binary min-heap of embedded nodes.  See heap.h.
 */
#include "limits/heap.h"

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
