/*
 * sched.c - the ready queue and the loop's tick.  See sched.h.
 */
#include "fetcher/sched.h"

#include "sluice.h"

#include "base/list.h"
#include "loop/loop.h"

/* Rounds of one tick: callbacks often create tasks (refilling a window),
   which are admitted in the same iteration, but I/O gets a turn after a
   few rounds. */
#define ROUNDS 4

void sl__call_soon(struct sl_sched *q, struct sl_soon *s)
{
  if(s->queued)
    return;
  s->queued = true;
  SL_LIST_APPEND(q->head, q->tail, s, prev, next);
  sl_loop_wake(q->loop);
}

void sl__soon_cancel(struct sl_sched *q, struct sl_soon *s)
{
  if(!s->queued)
    return;
  SL_LIST_REMOVE(q->head, q->tail, s, prev, next);
  s->queued = false;
}

/* Runs the nodes queued up to `last`, in order.  A node run may queue
   more (after last) or cancel queued ones. */
static void run_until(struct sl_sched *q, struct sl_soon *last)
{
  struct sl_soon *s;
  bool end = false;
  q->depth++;
  while(!end && (s = q->head)) {
    end = s == last;
    sl__soon_cancel(q, s);
    s->run(s);
  }
  q->depth--;
}

void sl__sched_tick(struct sl_sched *q)
{
  for(int round = 0; round < ROUNDS && q->head; round++)
    run_until(q, q->tail);
  if(q->head)
    sl_loop_wake(q->loop);
}

void sl__sched_drain(struct sl_sched *q)
{
  if(q->head)
    run_until(q, q->tail);
}

int sl__sched_can_block(const struct sl_sched *q)
{
  if(!q->owns_loop || q->depth || sl_loop_depth(q->loop))
    return SL_EBUSY;
  return SL_OK;
}

void sl__sched_run_once(struct sl_sched *q)
{
  sl_loop_run_once(q->loop);
}
