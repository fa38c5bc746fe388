/*
 * wait.c - the runs of the loop that wait: sl_run, sl_task_wait (await),
 * and the combinators over a set of tasks, sl_gather (asyncio.gather)
 * and sl_wait (asyncio.wait), in two forms.  Both watch the tasks with
 * done callbacks and one condition function each.  The blocking form runs
 * the loop until the condition holds, then removes the callbacks that
 * have not run, so nothing of its outlives the call; it runs the loop
 * only when sluice owns it and no callback is running.  The callback form
 * (sl_gather_start, sl_wait_start; for a caller's loop) keeps the watch
 * on the heap, references the tasks, and when the condition holds calls
 * the caller back, then lets everything go.
 */
#include "base/container_of.h"
#include "fetcher/ctx.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct watch {
  size_t n;        /* tasks watched */
  size_t finished; /* callbacks seen */
  bool failed;     /* a task FAILED (or, for gather, was cancelled) */
  bool cancel_counts;
  bool all; /* gather: SL_RETURN_ERRORS */
  enum sl_return_when when;
  bool timed_out;
  sl_task *first_failed; /* callbacks run in completion order */
  sl_task *first_done;
  bool (*holds)(const struct watch *w); /* the condition */
  void (*check)(struct watch *w); /* the callback form's: after each event */
  struct sl_tmr tmr;
};

static bool gather_holds(const struct watch *w)
{
  return w->finished == w->n || (w->failed && !w->all);
}

static bool wait_holds(const struct watch *w)
{
  return w->finished == w->n ||
         (w->when == SL_FIRST_COMPLETED && w->finished > 0) ||
         (w->when == SL_FIRST_ERROR && w->failed) || w->timed_out;
}

static void on_final(sl_task *t, void *ud)
{
  struct watch *w = ud;
  if(!w->finished++)
    w->first_done = t;
  if(t->state == SL_FAILED || (w->cancel_counts && t->state == SL_CANCELLED)) {
    if(!w->failed)
      w->first_failed = t;
    w->failed = true;
  }
  if(w->check)
    w->check(w);
}

static void on_timeout(struct sl_tmr *tm)
{
  struct watch *w = sl_container_of(tm, struct watch, tmr);
  w->timed_out = true;
  if(w->check)
    w->check(w);
}

/* The set's context, or NULL when it is not one (empty, a NULL task,
   tasks of two contexts). */
static struct sl_ctx *set_ctx(sl_task *const *tasks, size_t n)
{
  struct sl_ctx *ctx = tasks && n && tasks[0] ? tasks[0]->ctx : NULL;
  for(size_t i = 0; ctx && i < n; i++)
    if(!tasks[i] || tasks[i]->ctx != ctx)
      return NULL;
  return ctx;
}

/* Registers the watch on every task and arms its timeout.  SL_OK or
   SL_ENOMEM, with nothing registered. */
static int watch_start(struct watch *w, struct sl_ctx *ctx,
                       sl_task *const *tasks, long timeout_ms)
{
  size_t i;
  sl_tmr_init(&w->tmr, on_timeout);
  for(i = 0; i < w->n; i++)
    if(sl_task_on_done(tasks[i], on_final, w) != SL_OK)
      break;
  if(i == w->n && (timeout_ms <= 0 ||
                   !sl__timers_arm_in(&ctx->timers, &w->tmr, timeout_ms)))
    return SL_OK;
  while(i--)
    sl_task_off_done(tasks[i], on_final, w);
  return SL_ENOMEM;
}

static void watch_stop(struct watch *w, struct sl_ctx *ctx,
                       sl_task *const *tasks)
{
  for(size_t i = 0; i < w->n; i++)
    sl_task_off_done(tasks[i], on_final, w);
  sl__timers_disarm(&ctx->timers, &w->tmr);
}

/* The blocking form: watches tasks until w's condition holds. */
static int watch_run(struct watch *w, sl_task *const *tasks, long timeout_ms,
                     struct sl_ctx **ctxp)
{
  struct sl_ctx *ctx = set_ctx(tasks, w->n);
  int rc = ctx ? sl__sched_can_block(&ctx->sched) : SL_EINVAL;
  if(!rc)
    rc = watch_start(w, ctx, tasks, timeout_ms);
  if(rc)
    return rc;
  while(!w->holds(w))
    sl__sched_run_once(&ctx->sched);
  watch_stop(w, ctx, tasks);
  *ctxp = ctx;
  return SL_OK;
}

int sl_gather(sl_task *const *tasks, size_t n, unsigned flags,
              struct sl_outcome *out, size_t *first_failed)
{
  struct watch w = {0};
  struct sl_ctx *ctx;
  size_t i, failed_at = n;
  int rc;

  if(!out)
    return SL_EINVAL;
  w.n = n;
  w.cancel_counts = true;
  w.all = flags & SL_RETURN_ERRORS;
  w.holds = gather_holds;
  if((rc = watch_run(&w, tasks, 0, &ctx)))
    return rc;
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
  if(w.all || !w.failed)
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
  int rc;
  w.n = n;
  w.when = when;
  w.holds = wait_holds;
  if((rc = watch_run(&w, tasks, timeout_ms, &ctx)))
    return rc;
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

/* ---- the callback forms ---------------------------------------------- */

struct sl_waiter {
  struct watch w;
  struct sl_ctx *ctx;
  sl_waiter_cb cb;
  void *ud;
  bool gather;
  sl_task *tasks[]; /* referenced until the end */
};

static void waiter_free(struct sl_waiter *a)
{
  watch_stop(&a->w, a->ctx, a->tasks);
  for(size_t i = 0; i < a->w.n; i++)
    sl__task_unref(a->tasks[i]);
  free(a);
}

/* After each event: once the condition holds, the caller is told. */
static void waiter_check(struct watch *w)
{
  struct sl_waiter *a = sl_container_of(w, struct sl_waiter, w);
  int rc = SL_OK;
  sl_task *first = w->first_done;
  if(!w->holds(w))
    return;
  if(w->failed && (a->gather ? !w->all : w->when == SL_FIRST_ERROR)) {
    rc = SL_EFAILED;
    first = w->first_failed;
  } else if(w->timed_out && w->finished < w->n) {
    rc = SL_ETIMEOUT;
    first = NULL;
  }
  w->check = NULL; /* once */
  a->cb(a, rc, first, a->ud);
  waiter_free(a);
}

static struct sl_waiter *waiter_new(sl_task *const *tasks, size_t n,
                                    sl_waiter_cb cb, void *ud)
{
  struct sl_ctx *ctx = set_ctx(tasks, n);
  struct sl_waiter *a;
  if(!ctx || !cb) {
    errno = EINVAL;
    return NULL;
  }
  a = calloc(1, sizeof(*a) + n * sizeof(a->tasks[0]));
  if(!a) {
    errno = ENOMEM;
    return NULL;
  }
  memcpy(a->tasks, tasks, n * sizeof(a->tasks[0]));
  a->w.n = n;
  a->w.check = waiter_check;
  a->ctx = ctx;
  a->cb = cb;
  a->ud = ud;
  return a;
}

/* Starts watching; NULL (the waiter freed, errno ENOMEM) when it cannot. */
static struct sl_waiter *waiter_start(struct sl_waiter *a, long timeout_ms)
{
  if(watch_start(&a->w, a->ctx, a->tasks, timeout_ms)) {
    free(a);
    errno = ENOMEM;
    return NULL;
  }
  for(size_t i = 0; i < a->w.n; i++)
    sl__task_ref(a->tasks[i]);
  return a;
}

sl_waiter *sl_gather_start(sl_task *const *tasks, size_t n, unsigned flags,
                           sl_waiter_cb cb, void *ud)
{
  struct sl_waiter *a = waiter_new(tasks, n, cb, ud);
  if(!a)
    return NULL;
  a->gather = true;
  a->w.cancel_counts = true;
  a->w.all = flags & SL_RETURN_ERRORS;
  a->w.holds = gather_holds;
  return waiter_start(a, 0);
}

sl_waiter *sl_wait_start(sl_task *const *tasks, size_t n,
                         enum sl_return_when when, long timeout_ms,
                         sl_waiter_cb cb, void *ud)
{
  struct sl_waiter *a = waiter_new(tasks, n, cb, ud);
  if(!a)
    return NULL;
  a->w.when = when;
  a->w.holds = wait_holds;
  return waiter_start(a, timeout_ms);
}

void sl_waiter_cancel(sl_waiter *a)
{
  if(a && a->w.check) /* not once its callback runs */
    waiter_free(a);
}

/* ---- run, await -------------------------------------------------------- */

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
