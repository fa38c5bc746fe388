/*
 * timers.c - a context's deadlines on a heap, and the loop's one alarm
 * for them.  See timers.h.
 *
 * A timer up to the alarm's slack ahead counts as due in a pass (the
 * alarm and the loop's clock do not line up to the microsecond: see
 * sl_loop_alarm_slack).  now is fixed for the pass, so a timer armed
 * during it for a time the pass counts as due (a rate token 0.3 ms ahead)
 * would fire again and again with the same now, forever: such a timer
 * moves just past the pass, to the next turn of the loop, with a fresh
 * now.
 */
#include "fetcher/timers.h"

#include "base/container_of.h"
#include "limits/ns.h"
#include "loop/loop.h"

#define TMR_OF(n) sl_container_of(n, struct sl_tmr, node)

static bool earlier(const struct sl_heap_node *a, const struct sl_heap_node *b)
{
  const struct sl_tmr *x = TMR_OF(a), *y = TMR_OF(b);
  if(x->at != y->at)
    return x->at < y->at;
  if(x->prio != y->prio)
    return x->prio < y->prio;
  return x->seq < y->seq;
}

void sl__timers_init(struct sl_timers *ts, struct sl_loop *loop)
{
  ts->heap.before = earlier;
  ts->loop = loop;
}

void sl__timers_free(struct sl_timers *ts)
{
  sl_heap_free(&ts->heap);
}

static struct sl_tmr *first(const struct sl_timers *ts)
{
  struct sl_heap_node *n = sl_heap_top(&ts->heap);
  return n ? TMR_OF(n) : NULL;
}

int sl__timers_arm(struct sl_timers *ts, struct sl_tmr *tm, int64_t at)
{
  struct sl_heap *hp = &ts->heap;
  if(ts->in_pass && at <= ts->pass_limit)
    at = ts->pass_limit + 1;
  tm->at = at;
  tm->seq = ++ts->seq;
  if(sl_tmr_armed(tm))
    sl_heap_update(hp, &tm->node);
  else if(sl_heap_reserve(hp, hp->n + 1))
    return -1;
  else
    sl_heap_push(hp, &tm->node);
  /* in a pass, the alarm is set once at its end */
  if(!ts->in_pass && first(ts) == tm)
    sl_loop_set_alarm(ts->loop, at);
  return 0;
}

int sl__timers_arm_in(struct sl_timers *ts, struct sl_tmr *tm, long ms)
{
  return sl__timers_arm(
      ts, tm, sl_loop_now(ts->loop) + sl_ns_from_ms(ms > 0 ? ms : 0));
}

void sl__timers_disarm(struct sl_timers *ts, struct sl_tmr *tm)
{
  bool was_first = first(ts) == tm;
  sl_heap_remove(&ts->heap, &tm->node);
  /* the alarm follows the first timer, so that an armed alarm means a
     timer is due: a caller's loop is not kept running for nothing */
  if(was_first && !ts->in_pass) {
    struct sl_tmr *next = first(ts);
    sl_loop_set_alarm(ts->loop, next ? next->at : -1);
  }
}

void sl__timers_fire(struct sl_timers *ts)
{
  struct sl_tmr *tm;
  ts->pass_limit = sl_loop_now(ts->loop) + sl_loop_alarm_slack(ts->loop);
  ts->in_pass = true;
  while((tm = first(ts)) && tm->at <= ts->pass_limit) {
    sl_heap_remove(&ts->heap, &tm->node);
    tm->fire(tm);
  }
  ts->in_pass = false;
  sl_loop_set_alarm(ts->loop, tm ? tm->at : -1);
}
