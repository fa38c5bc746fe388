/*
 * timers.c - a context's deadlines on a heap of base/heap.c.  See
 * timers.h.
 */
#include "fetcher/timers.h"

#include <stdlib.h>

#define TMR_OF(n)                                                             \
  ((struct sl_tmr *)((char *)(n)-offsetof(struct sl_tmr, node)))

static bool earlier(const struct sl_heap_node *a, const struct sl_heap_node *b)
{
  return TMR_OF(a)->at < TMR_OF(b)->at;
}

int sl_tmr_arm(struct sl_tmr_heap *h, struct sl_tmr *tm, double at)
{
  struct sl_heap *hp = &h->heap;
  tm->at = at;
  if(sl_tmr_armed(tm)) {
    sl_heap_update(hp, &tm->node);
    return 0;
  }
  if(sl_heap_reserve(hp, hp->n + 1))
    return -1;
  hp->before = earlier;
  sl_heap_push(hp, &tm->node);
  return 0;
}

void sl_tmr_disarm(struct sl_tmr_heap *h, struct sl_tmr *tm)
{
  sl_heap_remove(&h->heap, &tm->node);
}

struct sl_tmr *sl_tmr_first(const struct sl_tmr_heap *h)
{
  struct sl_heap_node *n = sl_heap_top(&h->heap);
  return n ? TMR_OF(n) : NULL;
}

void sl_tmr_heap_free(struct sl_tmr_heap *h)
{
  sl_heap_free(&h->heap);
}
