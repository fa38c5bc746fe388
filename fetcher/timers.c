/*
 * timers.c - min-heap of deadlines.  See timers.h.
 */
#include "fetcher/timers.h"

#include <stdlib.h>

static void put(struct sl_tmr_heap *h, size_t i, struct sl_tmr *tm)
{
  h->v[i] = tm;
  tm->idx = i;
}

static void sift_up(struct sl_tmr_heap *h, size_t i)
{
  struct sl_tmr *tm = h->v[i];
  while(i > 0) {
    size_t parent = (i - 1) / 2;
    if(h->v[parent]->at <= tm->at)
      break;
    put(h, i, h->v[parent]);
    i = parent;
  }
  put(h, i, tm);
}

static void sift_down(struct sl_tmr_heap *h, size_t i)
{
  struct sl_tmr *tm = h->v[i];
  for(;;) {
    size_t c = 2 * i + 1;
    if(c >= h->n)
      break;
    if(c + 1 < h->n && h->v[c + 1]->at < h->v[c]->at)
      c++;
    if(tm->at <= h->v[c]->at)
      break;
    put(h, i, h->v[c]);
    i = c;
  }
  put(h, i, tm);
}

int sl_tmr_arm(struct sl_tmr_heap *h, struct sl_tmr *tm, double at)
{
  if(sl_tmr_armed(tm)) {
    size_t i = tm->idx;
    tm->at = at;
    sift_up(h, i);
    sift_down(h, tm->idx);
    return 0;
  }
  if(h->n == h->cap) {
    size_t cap = h->cap ? h->cap * 2 : 64;
    struct sl_tmr **v = realloc(h->v, cap * sizeof(*v));
    if(!v)
      return -1;
    h->v = v;
    h->cap = cap;
  }
  tm->at = at;
  put(h, h->n++, tm);
  sift_up(h, tm->idx);
  return 0;
}

void sl_tmr_disarm(struct sl_tmr_heap *h, struct sl_tmr *tm)
{
  size_t i = tm->idx;
  struct sl_tmr *last;
  if(i == SL_TMR_IDLE)
    return;
  tm->idx = SL_TMR_IDLE;
  last = h->v[--h->n];
  if(last == tm)
    return;
  put(h, i, last);
  sift_up(h, i);
  sift_down(h, last->idx);
}

struct sl_tmr *sl_tmr_first(const struct sl_tmr_heap *h)
{
  return h->n ? h->v[0] : NULL;
}

void sl_tmr_heap_free(struct sl_tmr_heap *h)
{
  free(h->v);
  h->v = NULL;
  h->n = h->cap = 0;
}
