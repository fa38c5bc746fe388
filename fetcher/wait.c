/*
 * wait.c - the blocking combinators over a set of tasks: sl_gather
 * (asyncio.gather) and sl_wait (asyncio.wait).  Both watch the tasks with
 * done callbacks, run the loop until their condition holds, then remove
 * the callbacks that have not run, so nothing of theirs outlives the call.
 */
#include "fetcher/internal.h"

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
  struct watch *w = (struct watch *)((char *)tm - offsetof(struct watch, tmr));
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
  rc = sl__ctx_can_block(ctx);
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
  sl_tmr_disarm(&ctx->timers, &w->tmr);
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
    sl__ctx_run_once(ctx);
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
  if(timeout_ms > 0 &&
     sl__ctx_arm(ctx, &w.tmr,
                 sl_loop_now(ctx->loop) + (double)timeout_ms / 1000.0)) {
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
    sl__ctx_run_once(ctx);
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
