/*
 * timers.h - a binary min-heap of deadlines, so every timed thing of a
 * context (pending tasks' deadlines, wait and as_completed timeouts,
 * call_later) shares the loop's single alarm.  A timer is a node the
 * owner embeds; arming and disarming allocate only when the heap grows.
 */
#ifndef SL_FETCHER_TIMERS_H
#define SL_FETCHER_TIMERS_H

#include <stdbool.h>
#include <stddef.h>

#define SL_TMR_IDLE ((size_t)-1)

struct sl_tmr {
  double at;  /* loop time, seconds */
  size_t idx; /* place in the heap, SL_TMR_IDLE when not armed */
  void (*fire)(struct sl_tmr *tm);
};

struct sl_tmr_heap {
  struct sl_tmr **v;
  size_t n, cap;
};

static inline void sl_tmr_init(struct sl_tmr *tm,
                               void (*fire)(struct sl_tmr *tm))
{
  tm->at = 0;
  tm->idx = SL_TMR_IDLE;
  tm->fire = fire;
}

static inline bool sl_tmr_armed(const struct sl_tmr *tm)
{
  return tm->idx != SL_TMR_IDLE;
}

/* Arms (or re-arms) tm for time at.  0, or -1 when out of memory. */
int sl_tmr_arm(struct sl_tmr_heap *h, struct sl_tmr *tm, double at);

/* Disarms tm; a no-op when it is not armed. */
void sl_tmr_disarm(struct sl_tmr_heap *h, struct sl_tmr *tm);

/* The earliest armed timer, or NULL. */
struct sl_tmr *sl_tmr_first(const struct sl_tmr_heap *h);

void sl_tmr_heap_free(struct sl_tmr_heap *h);

#endif
