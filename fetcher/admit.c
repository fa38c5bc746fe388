/*
 * admit.c - how a PENDING task gets to run: the order of the limits, the
 * waits between them, and what is given back when a task ends, is
 * cancelled, or goes back to wait for a retry.
 *
 * The order (see limits/hosts.h for why): the host must not be paused;
 * then a host slot; then, holding it, the host's rate must allow a
 * request (peek only); then a global slot; then, holding both, both
 * rates are checked again and both tokens taken in one step, and the
 * transfer starts.  A task waiting on its host holds no global slot, so
 * a slow or rate-limited host never holds up the others.  Every wait is
 * a queue on a FIFO semaphore or a timer on the context's heap.
 */
#include "fetcher/internal.h"

#include <stdio.h>
#include <string.h>

#define TASK_OF(ptr, field)                                                   \
  ((struct sl_task *)((char *)(ptr)-offsetof(struct sl_task, field)))

/* Where a PENDING task is. */
enum {
  ST_NEW = 0,
  ST_PAUSED,        /* timer: the host is paused */
  ST_HOST_QUEUED,   /* on the host's semaphore */
  ST_HOST_RATE,     /* host slot held; timer: the host's next token */
  ST_GLOBAL_QUEUED, /* host slot held; on the global semaphore */
  ST_GLOBAL_RATE,   /* both slots held; timer: the global next token */
  ST_BACKOFF,       /* timer: waiting to retry */
  ST_RESOLVING,     /* waiting on its name (resolve.c) */
  ST_RUNNING
};

static int64_t now_ns(struct sl_ctx *ctx)
{
  return sl_ns_from_sec(sl_loop_now(ctx->loop));
}

static void wait_until(struct sl_task *t, int stage, int64_t at)
{
  t->stage = stage;
  if(sl__ctx_arm(t->ctx, &t->stage_tmr, sl_ns_to_sec(at)))
    t->stage_tmr.fire(&t->stage_tmr); /* out of memory: poll instead */
}

static void fail(struct sl_task *t, enum sl_error_kind kind, int code,
                 const char *msg)
{
  sl__admit_leave(t);
  sl__task_set_error(t, kind, code, msg);
  sl__task_finish(t, SL_FAILED);
}

static void host_step(struct sl_task *t);
static void host_rate_step(struct sl_task *t);
static bool final_step(struct sl_task *t);

/* Hands freed global slots to waiters until one keeps it. */
static void global_release(struct sl_ctx *ctx)
{
  struct sl_sem_waiter *w;
  while((w = sl_sem_release(&ctx->sem))) {
    struct sl_task *t = TASK_OF(w, wait);
    t->holds_permit = true;
    if(final_step(t))
      break;
  }
}

/* Hands a freed host slot to its next waiter. */
static void host_release(struct sl_host *h)
{
  struct sl_sem_waiter *w = sl_sem_release(&h->sem);
  if(w) {
    struct sl_task *t = TASK_OF(w, host_wait);
    t->holds_host = true;
    host_rate_step(t);
  }
}

/* Both slots held: take both tokens and start, or wait.  Returns false
   when the task gave its global slot back (the caller hands it on). */
static bool final_step(struct sl_task *t)
{
  struct sl_ctx *ctx = t->ctx;
  int64_t now = now_ns(ctx);
  int64_t host_at = t->host ? sl_host_ready_at(t->host, now) : now;
  int64_t glob_at =
      ctx->has_rate ? sl_bucket_next_at(&ctx->global_rate, now) : now;

  if(host_at > now) {
    /* paused meanwhile, or the host's token went to a sibling: give the
       global slot back and wait for the host again */
    t->holds_permit = false;
    wait_until(t, ST_HOST_RATE, host_at);
    return false;
  }
  if(glob_at > now) {
    wait_until(t, ST_GLOBAL_RATE, glob_at);
    return true;
  }
  if(ctx->has_rate)
    sl_bucket_take(&ctx->global_rate, now);
  if(t->host)
    sl_host_take(t->host, now);
  sl_tmr_disarm(&ctx->timers, &t->tmr);
  t->stage = ST_RUNNING;
  if(sl__transfer_start(t) == 0)
    return true;
  t->holds_permit = false;
  sl__task_finish(t, SL_FAILED); /* gives the host slot back */
  return false;
}

static void global_step(struct sl_task *t)
{
  struct sl_ctx *ctx = t->ctx;
  if(!sl_sem_try_acquire(&ctx->sem)) {
    t->stage = ST_GLOBAL_QUEUED;
    sl_sem_enqueue(&ctx->sem, &t->wait);
    return;
  }
  t->holds_permit = true;
  if(!final_step(t))
    global_release(ctx);
}

/* Host slot held: wait for the host's rate (peek only), then go global. */
static void host_rate_step(struct sl_task *t)
{
  int64_t now = now_ns(t->ctx);
  int64_t at = t->host ? sl_host_ready_at(t->host, now) : now;
  if(at > now)
    wait_until(t, ST_HOST_RATE, at);
  else
    global_step(t);
}

static void host_step(struct sl_task *t)
{
  struct sl_host *h = t->host;
  int64_t now = now_ns(t->ctx);
  if(!h) {
    global_step(t);
    return;
  }
  if(sl_host_paused(h, now)) {
    wait_until(t, ST_PAUSED, h->pause_until);
    return;
  }
  if(!sl_sem_try_acquire(&h->sem)) {
    t->stage = ST_HOST_QUEUED;
    sl_sem_enqueue(&h->sem, &t->host_wait);
    return;
  }
  t->holds_host = true;
  host_rate_step(t);
}

/* A stage timer went off: carry on from where the task waits. */
static void stage_due(struct sl_tmr *tm)
{
  struct sl_task *t = TASK_OF(tm, stage_tmr);
  if(t->state != SL_PENDING)
    return;
  switch(t->stage) {
    case ST_PAUSED:
    case ST_BACKOFF:
      host_step(t);
      break;
    case ST_HOST_RATE:
      host_rate_step(t);
      break;
    case ST_GLOBAL_RATE:
      if(!final_step(t))
        global_release(t->ctx);
      break;
  }
}

/* The task's own deadline passed while it was PENDING. */
static void deadline_due(struct sl_tmr *tm)
{
  struct sl_task *t = TASK_OF(tm, tmr);
  if(t->state != SL_PENDING)
    return;
  fail(t, SL_ERR_TIMEOUT, CURLE_OPERATION_TIMEDOUT,
       t->attempts ? "deadline passed while waiting to retry"
                   : "deadline passed while waiting for a slot");
}

void sl__admit_init_task(struct sl_task *t)
{
  sl_tmr_init(&t->tmr, deadline_due);
  sl_tmr_init(&t->stage_tmr, stage_due);
}

void sl__admit(struct sl_task *t)
{
  struct sl_ctx *ctx = t->ctx;
  const char *why;
  int rc;

  if(!sl__url_host(t->url.p, t->host_name, sizeof(t->host_name), &t->port,
                   &why)) {
    sl__task_set_error(t, SL_ERR_INVALID_URL, 0, why);
    sl__task_finish(t, SL_FAILED);
    return;
  }
  /* always: a Retry-After pauses a host even without per-host limits */
  t->host = sl_hosts_get(&ctx->hosts, t->host_name, t->port, now_ns(ctx));
  if(!t->host) {
    sl__task_set_error(t, SL_ERR_INTERNAL, 0, "out of memory");
    sl__task_finish(t, SL_FAILED);
    return;
  }
  if(t->deadline > 0 && sl__ctx_arm(ctx, &t->tmr, t->deadline)) {
    sl__task_set_error(t, SL_ERR_INTERNAL, 0, "out of memory");
    sl__task_finish(t, SL_FAILED);
    return;
  }
  /* the name first: resolution counts against the deadline, and a task
     waiting on DNS holds no slot */
  rc = sl__resolve(t);
  if(rc == 0)
    host_step(t);
  else if(rc == 1)
    t->stage = ST_RESOLVING;
  else if(rc == -1)
    sl__admit_fail(t);
}

void sl__admit_resolved(struct sl_task *t)
{
  t->stage = ST_NEW;
  host_step(t);
}

void sl__admit_fail(struct sl_task *t)
{
  sl__admit_leave(t);
  sl__task_finish(t, SL_FAILED);
}

void sl__admit_leave(struct sl_task *t)
{
  struct sl_ctx *ctx = t->ctx;
  sl_tmr_disarm(&ctx->timers, &t->stage_tmr);
  if(t->stage == ST_RESOLVING)
    sl__resolve_leave(t);
  else if(t->stage == ST_HOST_QUEUED)
    sl_sem_remove(&t->host->sem, &t->host_wait);
  else if(t->stage == ST_GLOBAL_QUEUED)
    sl_sem_remove(&ctx->sem, &t->wait);
  t->stage = ST_NEW;
  if(t->holds_permit) {
    t->holds_permit = false;
    global_release(ctx);
  }
  if(t->holds_host) {
    t->holds_host = false;
    host_release(t->host);
  }
}

void sl__admit_done(struct sl_task *t)
{
  sl__admit_leave(t);
  sl__resolve_release(t);
  if(t->host) {
    sl_hosts_put(&t->ctx->hosts, t->host, now_ns(t->ctx));
    t->host = NULL;
  }
}

void sl__admit_pause_host(struct sl_task *t, int64_t delay)
{
  int64_t now = now_ns(t->ctx);
  if(t->host)
    sl_host_pause_until(t->host, now + delay, now);
}

bool sl__admit_retry(struct sl_task *t, int64_t delay)
{
  struct sl_ctx *ctx = t->ctx;
  int64_t now = now_ns(ctx);
  sl__admit_leave(t);
  sl__task_set_state(t, SL_PENDING);
  if(t->deadline > 0 && sl__ctx_arm(ctx, &t->tmr, t->deadline))
    return false;
  wait_until(t, ST_BACKOFF, now + delay);
  return true;
}
