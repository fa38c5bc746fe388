/*
 * as_completed.c - asyncio.as_completed, streaming: tasks are added as
 * they are created and come out in the order they finish, either pulled
 * with sl_as_completed_next() (sluice runs the loop) or pushed to a
 * callback (the caller runs the loop).  Memory is one ring slot per
 * finished task not yet yielded.
 *
 * A freed iterator whose tasks are still running stays allocated, marked
 * dead, until their done callbacks have all run: removing a callback
 * would need a list of the pending tasks, which is what this avoids.
 */
#include "base/array.h"
#include "base/container_of.h"
#include "base/list.h"
#include "fetcher/ctx.h"

#include <stdlib.h>
#include <string.h>

struct sl_as_completed {
  struct sl_ctx *ctx;
  sl_as_completed_cb cb;
  void *ud;
  size_t pending; /* added, done callback not yet run */
  sl_task **ring; /* finished, not yet yielded */
  size_t head, count, cap;
  bool timed_out, dead;
  struct sl_tmr tmr;
  struct sl_as_completed *prev, *next; /* ctx->iters */
};

static void destroy(struct sl_as_completed *ac)
{
  struct sl_ctx *ctx = ac->ctx;
  sl__timers_disarm(&ctx->timers, &ac->tmr);
  SL_LIST_REMOVE(ctx->iters, ctx->iters_tail, ac, prev, next);
  free(ac->ring);
  free(ac);
}

static void on_timeout(struct sl_tmr *tm)
{
  struct sl_as_completed *ac =
      sl_container_of(tm, struct sl_as_completed, tmr);
  ac->timed_out = true;
  if(ac->cb && !ac->dead)
    ac->cb(ac, NULL, ac->ud);
}

/* Makes room for need tasks, keeping the unyielded ones in order.  0
   or -1. */
static int grow(struct sl_as_completed *ac, size_t need)
{
  size_t old = ac->cap;
  if(sl_array_reserve(ac->ring, ac->cap, need, 16))
    return -1;
  /* the ring wrapped: its part at the start moves after the old end
     (the room at least doubled, so it fits) */
  if(ac->head + ac->count > old) {
    size_t wrapped = ac->head + ac->count - old;
    memcpy(ac->ring + old, ac->ring, wrapped * sizeof(*ac->ring));
  }
  return 0;
}

static void on_final(sl_task *t, void *ud)
{
  struct sl_as_completed *ac = ud;
  ac->pending--;
  if(ac->dead) {
    if(!ac->pending)
      destroy(ac);
    return;
  }
  if(ac->cb) {
    if(!ac->timed_out)
      ac->cb(ac, t, ac->ud);
    return;
  }
  /* add() reserved the slot: count + pending <= cap */
  ac->ring[(ac->head + ac->count++) % ac->cap] = t;
}

sl_as_completed *sl_as_completed_new(sl_ctx *ctx, long timeout_ms,
                                     sl_as_completed_cb cb, void *ud)
{
  struct sl_as_completed *ac;
  if(!ctx)
    return NULL;
  ac = calloc(1, sizeof(*ac));
  if(!ac)
    return NULL;
  ac->ctx = ctx;
  ac->cb = cb;
  ac->ud = ud;
  sl_tmr_init(&ac->tmr, on_timeout);
  if(timeout_ms > 0 && sl__timers_arm_in(&ctx->timers, &ac->tmr, timeout_ms)) {
    free(ac);
    return NULL;
  }
  SL_LIST_APPEND(ctx->iters, ctx->iters_tail, ac, prev, next);
  return ac;
}

int sl_as_completed_add(sl_as_completed *ac, sl_task *t)
{
  if(!ac || !t || t->ctx != ac->ctx || ac->dead)
    return SL_EINVAL;
  /* reserve the ring slot now, so a finished task is never lost */
  if(!ac->cb && ac->count + ac->pending + 1 > ac->cap &&
     grow(ac, ac->count + ac->pending + 1))
    return SL_ENOMEM;
  if(sl_task_on_done(t, on_final, ac) != SL_OK)
    return SL_ENOMEM;
  ac->pending++;
  return SL_OK;
}

int sl_as_completed_next(sl_as_completed *ac, sl_task **out)
{
  int rc;
  if(out)
    *out = NULL;
  if(!ac || !out || ac->cb)
    return SL_EINVAL;
  rc = sl__sched_can_block(&ac->ctx->sched);
  if(rc)
    return rc;
  while(!ac->count) {
    if(ac->timed_out)
      return SL_ETIMEOUT;
    if(!ac->pending)
      return SL_ENOENT;
    sl__sched_run_once(&ac->ctx->sched);
  }
  *out = ac->ring[ac->head];
  ac->head = (ac->head + 1) % ac->cap;
  ac->count--;
  return SL_OK;
}

size_t sl_as_completed_left(const sl_as_completed *ac)
{
  return ac ? ac->pending + ac->count : 0;
}

void sl_as_completed_free(sl_as_completed *ac)
{
  if(!ac)
    return;
  ac->dead = true;
  ac->count = 0;
  if(!ac->pending)
    destroy(ac);
}

void sl__as_completed_free_all(struct sl_ctx *ctx)
{
  while(ctx->iters)
    destroy(ctx->iters);
}
