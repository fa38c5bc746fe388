/*
 * wait.c - the blocking runs of the loop: sl_run, sl_task_wait (await),
 * and the combinators over a set of tasks, sl_gather (asyncio.gather)
 * and sl_wait (asyncio.wait).  The combinators watch the tasks with done
 * callbacks, run the loop until their condition holds, then remove the
 * callbacks that have not run, so nothing of theirs outlives the call.
 * They run the loop only when sluice owns it and no callback is running.
 */
#include "base/container_of.h"
#include "fetcher/ctx.h"

struct watch {
  size_t finished; /* callbacks seen */
  bool failed;     /* a task FAILED (or, for gather, was cancelled) */
  bool cancel_counts;
  bool timed_out;
  sl_task *first_failed; /* callbacks run in completion order */
  struct sl_tmr tmr;
};

static void on_final(sl_task *t, void *ud)
{
  struct watch *w = ud;
  w->finished++;
  if(t->state == SL_FAILED || (w->cancel_counts && t->state == SL_CANCELLED)) {
    if(!w->failed)
      w->first_failed = t;
    w->failed = true;
  }
}

static void on_timeout(struct sl_tmr *tm)
{
  struct watch *w = sl_container_of(tm, struct watch, tmr);
  w->timed_out = true;
}

/* Checks the set and registers the watch on every task.  SL_OK or an
   error, with nothing registered. */
static int watch_start(struct watch *w, sl_task *const *tasks, size_t n,
                       struct sl_ctx **ctxp)
{
  struct sl_ctx *ctx;
  size_t i;
  int rc;
  if(!tasks || !n)
    return SL_EINVAL;
  ctx = tasks[0] ? tasks[0]->ctx : NULL;
  for(i = 0; i < n; i++)
    if(!tasks[i] || tasks[i]->ctx != ctx)
      return SL_EINVAL;
  rc = ctx ? sl__sched_can_block(&ctx->sched) : SL_EINVAL;
  if(rc)
    return rc;
  for(i = 0; i < n; i++) {
    if(sl_task_on_done(tasks[i], on_final, w) != SL_OK) {
      while(i--)
        sl_task_off_done(tasks[i], on_final, w);
      return SL_ENOMEM;
    }
  }
  sl_tmr_init(&w->tmr, on_timeout);
  *ctxp = ctx;
  return SL_OK;
}

static void watch_stop(struct watch *w, struct sl_ctx *ctx,
                       sl_task *const *tasks, size_t n)
{
  size_t i;
  for(i = 0; i < n; i++)
    sl_task_off_done(tasks[i], on_final, w);
  sl__timers_disarm(&ctx->timers, &w->tmr);
}

int sl_gather(sl_task *const *tasks, size_t n, unsigned flags,
              struct sl_outcome *out, size_t *first_failed)
{
  struct watch w = {0};
  struct sl_ctx *ctx;
  bool all = flags & SL_RETURN_ERRORS;
  size_t i, failed_at = n;
  int rc;

  if(!out)
    return SL_EINVAL;
  w.cancel_counts = true;
  rc = watch_start(&w, tasks, n, &ctx);
  if(rc)
    return rc;
  while(w.finished < n && !(w.failed && !all))
    sl__sched_run_once(&ctx->sched);
  watch_stop(&w, ctx, tasks, n);

  for(i = 0; i < n; i++) {
    sl_task *t = tasks[i];
    out[i].task = t;
    out[i].state = t->state;
    out[i].response = NULL;
    out[i].error = NULL;
    if(!sl_task_is_final(t))
      continue;
    sl_task_response(t, &out[i].response);
    sl_task_error(t, &out[i].error);
    if(t == w.first_failed)
      failed_at = i;
  }
  if(all || !w.failed)
    return SL_OK;
  if(first_failed)
    *first_failed = failed_at;
  return SL_EFAILED;
}

int sl_wait(sl_task *const *tasks, size_t n, enum sl_return_when when,
            long timeout_ms, sl_task **done, size_t *ndone, sl_task **pending,
            size_t *npending)
{
  struct watch w = {0};
  struct sl_ctx *ctx;
  size_t i, nd = 0, np = 0;
  int rc = watch_start(&w, tasks, n, &ctx);
  if(rc)
    return rc;
  if(timeout_ms > 0 && sl__timers_arm_in(&ctx->timers, &w.tmr, timeout_ms)) {
    watch_stop(&w, ctx, tasks, n);
    return SL_ENOMEM;
  }
  for(;;) {
    if(w.finished == n)
      break;
    if(when == SL_FIRST_COMPLETED && w.finished > 0)
      break;
    if(when == SL_FIRST_ERROR && w.failed)
      break;
    if(w.timed_out)
      break;
    sl__sched_run_once(&ctx->sched);
  }
  watch_stop(&w, ctx, tasks, n);
  for(i = 0; i < n; i++) {
    if(sl_task_is_final(tasks[i])) {
      if(done)
        done[nd] = tasks[i];
      nd++;
    } else {
      if(pending)
        pending[np] = tasks[i];
      np++;
    }
  }
  if(ndone)
    *ndone = nd;
  if(npending)
    *npending = np;
  return w.timed_out && np ? SL_ETIMEOUT : SL_OK;
}

int sl_run(sl_ctx *ctx)
{
  int rc = ctx ? sl__sched_can_block(&ctx->sched) : SL_EINVAL;
  if(rc)
    return rc;
  while(ctx->tasks.stats.pending || ctx->tasks.stats.running ||
        !sl__sched_idle(&ctx->sched) || ctx->readers_kept)
    sl__sched_run_once(&ctx->sched);
  return SL_OK;
}

int sl_task_wait(sl_task *t)
{
  int rc = t ? sl__sched_can_block(&t->ctx->sched) : SL_EINVAL;
  if(rc)
    return rc;
  while(!sl_task_is_final(t))
    sl__sched_run_once(&t->ctx->sched);
  return SL_OK;
}
