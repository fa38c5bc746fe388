/*
 * sched.c - the ready queue and the loop's tick.  See sched.h.
 */
#include "fetcher/sched.h"

#include "sluice.h"

#include "base/list.h"
#include "loop/loop.h"

#include <stdint.h>

/* Rounds of one tick: callbacks often create tasks (refilling a window),
   which are admitted in the same iteration, but I/O gets a turn after a
   few rounds, or after BUDGET nodes: thousands of tasks made at once are
   admitted over a few iterations, so that a caller's own watchers on a
   shared loop keep their time (a node is a microsecond or so). */
#define ROUNDS 4
#define BUDGET 256

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

/* Runs the nodes queued up to `last`, in order, at most *budget of them.
   A node run may queue more (after last) or cancel queued ones. */
static void run_until(struct sl_sched *q, struct sl_soon *last, size_t *budget)
{
  struct sl_soon *s;
  bool end = false;
  q->depth++;
  while(!end && *budget && (s = q->head)) {
    end = s == last;
    sl__soon_cancel(q, s);
    (*budget)--;
    s->run(s);
  }
  q->depth--;
}

void sl__sched_tick(struct sl_sched *q)
{
  size_t budget = BUDGET;
  for(int round = 0; round < ROUNDS && budget && q->head; round++)
    run_until(q, q->tail, &budget);
  if(q->head)
    sl_loop_wake(q->loop);
}

void sl__sched_drain(struct sl_sched *q)
{
  size_t all = SIZE_MAX;
  if(q->head)
    run_until(q, q->tail, &all);
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
