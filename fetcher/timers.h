/*
 * timers.h - the deadlines of a context, on one min-heap (base/heap.h),
 * so every timed thing (pending tasks' deadlines and stages, wait and
 * as_completed timeouts, call_later) shares the loop's single alarm.  A
 * timer is a node the owner embeds; arming and disarming allocate only
 * when the heap grows.
 */
#ifndef SL_FETCHER_TIMERS_H
#define SL_FETCHER_TIMERS_H

#include <stdbool.h>
#include <stddef.h>

#include "base/heap.h"

struct sl_tmr {
  double at; /* loop time, seconds */
  struct sl_heap_node node;
  void (*fire)(struct sl_tmr *tm);
};

struct sl_tmr_heap {
  struct sl_heap heap; /* zeroed: set up on the first arm */
};

static inline void sl_tmr_init(struct sl_tmr *tm,
                               void (*fire)(struct sl_tmr *tm))
{
  tm->at = 0;
  sl_heap_node_init(&tm->node);
  tm->fire = fire;
}

static inline bool sl_tmr_armed(const struct sl_tmr *tm)
{
  return sl_heap_holds(&tm->node);
}

/* Arms (or re-arms) tm for time at.  0, or -1 when out of memory. */
int sl_tmr_arm(struct sl_tmr_heap *h, struct sl_tmr *tm, double at);

/* Disarms tm; a no-op when it is not armed. */
void sl_tmr_disarm(struct sl_tmr_heap *h, struct sl_tmr *tm);

/* The earliest armed timer, or NULL. */
struct sl_tmr *sl_tmr_first(const struct sl_tmr_heap *h);

void sl_tmr_heap_free(struct sl_tmr_heap *h);

#endif
