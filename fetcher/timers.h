/*
 * timers.h - the deadlines of a context on one min-heap (base/heap.h), so
 * every timed thing (pending tasks' deadlines and stages, wait and
 * as_completed timeouts, call_later) shares the loop's single alarm.  A
 * timer is a node the owner embeds; arming allocates only when the heap
 * grows.  Times are int64 nanoseconds on the loop's clock (limits/ns.h).
 * Timers due at the same time fire lowest priority value first, then in
 * the order they were armed (libuv's timers break ties the same way), so
 * tasks waiting for one token or one pause's end go in priority order.
 */
#ifndef SL_FETCHER_TIMERS_H
#define SL_FETCHER_TIMERS_H

#include <stdbool.h>
#include <stdint.h>

#include "base/heap.h"

struct sl_loop;

struct sl_tmr {
  int64_t at;   /* loop time, ns */
  int prio;     /* among timers due at once: lower first */
  uint64_t seq; /* then: armed earlier first */
  struct sl_heap_node node;
  void (*fire)(struct sl_tmr *tm);
};

struct sl_timers {
  struct sl_heap heap;
  struct sl_loop *loop;
  int64_t pass_limit; /* in a pass: timers up to it fire in this pass */
  uint64_t seq;       /* timers armed so far */
  bool in_pass;
};

static inline void sl_tmr_init(struct sl_tmr *tm,
                               void (*fire)(struct sl_tmr *tm))
{
  tm->at = 0;
  tm->prio = 0;
  sl_heap_node_init(&tm->node);
  tm->fire = fire;
}

static inline bool sl_tmr_armed(const struct sl_tmr *tm)
{
  return sl_heap_holds(&tm->node);
}

void sl__timers_init(struct sl_timers *ts, struct sl_loop *loop);
void sl__timers_free(struct sl_timers *ts);

/* Arms (or re-arms) tm for loop time at (ns).  0, or -1 when out of
   memory (tm is then not armed). */
int sl__timers_arm(struct sl_timers *ts, struct sl_tmr *tm, int64_t at);

/* The same, `ms` milliseconds from now. */
int sl__timers_arm_in(struct sl_timers *ts, struct sl_tmr *tm, long ms);

/* Disarms tm; a no-op when it is not armed. */
void sl__timers_disarm(struct sl_timers *ts, struct sl_tmr *tm);

/* The loop's alarm: fires every timer that is due, then sets the alarm
   for the next one. */
void sl__timers_fire(struct sl_timers *ts);

#endif
