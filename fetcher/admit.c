/*
 * admit.c - how a PENDING task gets to run: its name, the order of the
 * limits, the waits between them, and what is given back when a task
 * ends, is cancelled, or goes back to wait for a retry.  See admit.h.
 *
 * The order (see limits/hosts.h for why): with sl_options.robots, the
 * origin's robots.txt first (robotsfetch.c; a URL it refuses is never
 * sent); then the name (a task waiting on DNS holds no slot; resolution
 * counts against the deadline); then, for https, its origin's gate
 * (origin.h: while the origin's first connection is being made, the
 * others wait for a TLS session to resume); then the host must not be
 * paused; then a host slot; then, holding it, the host's rate must allow
 * a request (peek only); then a global slot; then, holding both, both
 * rates are checked again and both tokens taken in one step, and the
 * transfer starts.  A task waiting on its host holds no global slot, so
 * a slow or rate-limited host never holds up the others.  Every wait is
 * a queue on a FIFO semaphore, a timer on the context's heap, or the
 * resolver's callback.
 */
#include "fetcher/admit.h"

#include "base/container_of.h"
#include "fetcher/bandwidth.h"
#include "fetcher/ctx.h"
#include "fetcher/origin.h"
#include "fetcher/robotsfetch.h"
#include "fetcher/task.h"
#include "fetcher/timeout.h"
#include "fetcher/transfer.h"
#include "fetcher/url.h"
#include "limits/rate.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define TASK_OF(ptr, field) sl_container_of(ptr, struct sl_task, field)

/* A running transfer ends at its deadline (or try timeout) on sluice's
   timer heap, to the millisecond; curl's own timeout, as much later, is
   only the backstop for when that timer could not be armed (out of
   memory), and curl's timer fires late (loop.c). */
#define BACKSTOP SL_NS_PER_SEC

int sl__admission_init(struct sl_admission *a, const struct sl_options *o,
                       unsigned cap, uint64_t seed)
{
  struct sl_hosts_config hc;
  struct sl_rate rate;
  const char *why;
  sl_sem_init(&a->sem, cap);
  sl_hosts_config_init(&hc);
  hc.max_conns = o->per_host ? o->per_host : SIZE_MAX;
  hc.burst = o->burst;
  hc.bandwidth = o->host_bandwidth;
  hc.seed = seed;
  errno = EINVAL;
  if(o->host_rate && !sl_rate_parse(o->host_rate, &hc.rate, &why))
    return -1;
  if(o->host_bandwidth > SL_BYTERATE_MAX)
    return -1;
  if(o->bandwidth && !sl_byterate_init(&a->bw, o->bandwidth, 0, 0))
    return -1;
  a->has_bw = o->bandwidth > 0;
  if(o->rate) {
    if(!sl_rate_parse(o->rate, &rate, &why))
      return -1;
    sl_bucket_init(&a->global_rate, &rate, o->burst, 0);
    a->has_rate = true;
  }
  if(!sl_hosts_init(&a->hosts, &hc)) {
    errno = ENOMEM;
    return -1;
  }
  a->hosts_ready = true;
  sl_retry_init(&a->retry, seed);
  a->retry.parse_date = sl__http_date;
  a->retry.max_attempts = o->retries + 1;
  a->key_by = o->politeness;
  if(o->retry_max_delay_ms > 0)
    a->retry.cap = sl_ns_from_ms(o->retry_max_delay_ms);
  /* the ceiling of a Retry-After: a host is paused no longer, and a
     retry that would have to wait longer is not made (outcome.c) */
  a->retry.max_retry_after = a->retry.cap;
  return 0;
}

void sl__admission_free(struct sl_admission *a)
{
  if(a->hosts_ready)
    sl_hosts_free(&a->hosts);
  a->hosts_ready = false;
}

static int64_t now_ns(struct sl_task *t)
{
  return sl_loop_now(t->ctx->loop);
}

/* Whether t's host is paused past t's deadline: it would wait for
   nothing. */
static bool paused_past_deadline(struct sl_task *t, int64_t now)
{
  return t->deadline > 0 && t->host && sl_host_paused(t->host, now) &&
         t->host->pause_until >= t->deadline;
}

static void wait_until(struct sl_task *t, enum sl_stage st, int64_t at)
{
  sl__task_stage(t, st);
  /* paused past its deadline: its deadline timer fires now instead (it
     says why), outside whatever step called this */
  if(paused_past_deadline(t, now_ns(t)) &&
     !sl__timers_arm(&t->ctx->timers, &t->tmr, now_ns(t)))
    return;
  if(sl__timers_arm(&t->ctx->timers, &t->stage_tmr, at))
    t->stage_tmr.fire(&t->stage_tmr); /* out of memory: poll instead */
}

static void fail(struct sl_task *t, enum sl_error_kind kind, int code,
                 const char *msg)
{
  sl__task_set_error(t, kind, code, msg);
  sl__task_finish(t, SL_ST_FAILED);
}

static void gate_step(struct sl_task *t);
static void host_step(struct sl_task *t);
static void host_rate_step(struct sl_task *t);
static bool final_step(struct sl_task *t);

/* Hands freed global slots to waiters until one keeps it. */
static void global_release(struct sl_ctx *ctx)
{
  struct sl_sem_waiter *w;
  while((w = sl_sem_release(&ctx->adm.sem))) {
    struct sl_task *t = TASK_OF(w, wait);
    t->holds_permit = true;
    if(final_step(t))
      break;
  }
}

void sl__admit_host_slots(struct sl_sem_waiter *w, struct sl_host *h)
{
  for(; w; w = sl_sem_next_admitted(&h->sem)) {
    struct sl_task *t = TASK_OF(w, host_wait);
    t->holds_host = true;
    host_rate_step(t);
  }
}

void sl__admit_gate_passed(struct sl_sem_waiter *w, struct sl_origin *o)
{
  for(; w; w = sl_sem_next_admitted(&o->gate)) {
    struct sl_task *t = TASK_OF(w, gate_wait);
    t->holds_gate = true;
    host_step(t);
  }
}

/* Hands a freed host slot to its next waiter. */
static void host_release(struct sl_host *h)
{
  sl__admit_host_slots(sl_sem_release(&h->sem), h);
}

/* Both slots held, both rates allow it: the transfer starts.  False
   when it could not (the task failed and gave its global slot back). */
static bool start(struct sl_task *t, int64_t now)
{
  struct sl_ctx *ctx = t->ctx;
  int64_t end = sl__xfer_end(t, now);
  bool timed;
  if(ctx->adm.has_rate)
    sl_bucket_take(&ctx->adm.global_rate, now);
  if(t->host)
    sl_host_take(t->host, now);
  if(!end)
    sl__timers_disarm(&ctx->timers, &t->tmr);
  timed = end && !sl__timers_arm(&ctx->timers, &t->tmr, end);
  if(sl__xfer_start(&ctx->xfer, t, now, timed ? BACKSTOP : 0) == 0) {
    sl__task_stage(t, SL_ST_RUNNING);
    if(t->host) {
      t->host->running++;
      t->host_running = true;
    }
    return true;
  }
  t->holds_permit = false;
  sl__task_finish(t, SL_ST_FAILED); /* gives the host slot back */
  return false;
}

/* Both slots held: take both tokens and start, or wait.  Returns false
   when the task gave its global slot back (the caller hands it on). */
static bool final_step(struct sl_task *t)
{
  struct sl_ctx *ctx = t->ctx;
  int64_t now = now_ns(t);
  int64_t host_at = t->host ? sl_host_ready_at(t->host, now) : now;
  int64_t glob_at =
      ctx->adm.has_rate ? sl_bucket_next_at(&ctx->adm.global_rate, now) : now;

  if(host_at > now) {
    /* paused meanwhile, or the host's token went to a sibling: give the
       global slot back and wait for the host again */
    t->holds_permit = false;
    wait_until(t, SL_ST_HOST_RATE, host_at);
    return false;
  }
  if(glob_at > now) {
    wait_until(t, SL_ST_GLOBAL_RATE, glob_at);
    return true;
  }
  return start(t, now);
}

/* Takes a permit of s for t, or queues t (its waiter w) on s in stage
   st: true when taken. */
static bool acquire(struct sl_task *t, struct sl_sem *s,
                    struct sl_sem_waiter *w, enum sl_stage st)
{
  if(sl_sem_try_acquire(s))
    return true;
  sl__task_stage(t, st);
  sl_sem_enqueue(s, w);
  return false;
}

static void global_step(struct sl_task *t)
{
  struct sl_ctx *ctx = t->ctx;
  if(!acquire(t, &ctx->adm.sem, &t->wait, SL_ST_GLOBAL_QUEUED))
    return;
  t->holds_permit = true;
  if(!final_step(t))
    global_release(ctx);
}

/* Host slot held: wait for the host's rate (peek only), then go global. */
static void host_rate_step(struct sl_task *t)
{
  int64_t now = now_ns(t);
  int64_t at = t->host ? sl_host_ready_at(t->host, now) : now;
  if(at > now)
    wait_until(t, SL_ST_HOST_RATE, at);
  else
    global_step(t);
}

static void host_step(struct sl_task *t)
{
  struct sl_host *h = t->host;
  if(!h) {
    global_step(t);
    return;
  }
  if(sl_host_paused(h, now_ns(t))) {
    wait_until(t, SL_ST_PAUSED, h->pause_until);
    return;
  }
  if(!acquire(t, &h->sem, &t->host_wait, SL_ST_HOST_QUEUED))
    return;
  t->holds_host = true;
  host_rate_step(t);
}

/* An https task waits at its origin's gate while another makes the
   origin's first connection (origin.h), holding nothing else. */
static void gate_step(struct sl_task *t)
{
  struct sl_origin *o = t->origin;
  if(!o || !o->tls || t->holds_gate) {
    host_step(t);
    return;
  }
  if(!acquire(t, &o->gate, &t->gate_wait, SL_ST_GATE_QUEUED))
    return;
  t->holds_gate = true;
  host_step(t);
}

/* A stage timer went off: carry on from where the task waits. */
static void stage_due(struct sl_tmr *tm)
{
  struct sl_task *t = TASK_OF(tm, stage_tmr);
  switch(t->stage) {
    case SL_ST_PAUSED:
    case SL_ST_BACKOFF:
      gate_step(t);
      break;
    case SL_ST_HOST_RATE:
      host_rate_step(t);
      break;
    case SL_ST_GLOBAL_RATE:
      if(!final_step(t))
        global_release(t->ctx);
      break;
    case SL_ST_RUNNING:
      sl__bw_resume(t); /* paused by the bandwidth caps */
      break;
    default:
      break;
  }
}

/* The task's own deadline passed while it was PENDING, or its host is
   paused past it (wait_until), or its transfer reached its end (the
   deadline or the try timeout: outcome.c). */
static void deadline_due(struct sl_tmr *tm)
{
  struct sl_task *t = TASK_OF(tm, tmr);
  int64_t now = now_ns(t);
  if(sl_task_is_final(t))
    return;
  if(t->state == SL_RUNNING) {
    sl__outcome_expired(t, now);
    return;
  }
  sl__admit_cancel(t);
  if(now < t->deadline && paused_past_deadline(t, now))
    sl__timeout_paused(t, now, t->host->pause_until);
  else if(t->stage == SL_ST_ROBOTS)
    sl__timeout_pending(t, now, "while waiting for its robots.txt");
  else
    sl__timeout_pending(t, now,
                        t->attempts ? "while waiting to retry"
                                    : "while waiting for its turn");
  sl__task_finish(t, SL_ST_FAILED);
}

/* t's origin (origin.h); false when out of memory. */
static bool take_origin(struct sl_task *t)
{
  bool tls = (sl__task_cur_url(t)[4] | 0x20) == 's'; /* http(s) checked */
  t->origin = sl__origin_take(&t->ctx->origins, tls, t->host_name, t->port);
  return t->origin != NULL;
}

/* The resolver answered a task waiting on its name. */
static void resolved(struct sl_name_wait *w, const struct sl_name_result *r)
{
  struct sl_task *t = TASK_OF(w, dns);
  char msg[400];
  t->dns_ns = r->waited;
  if(r->error) {
    snprintf(msg, sizeof(msg), "%s: %s", t->host_name, r->error);
    fail(t, r->kind, 0, msg);
    return;
  }
  t->resolve = r->list;
  /* its key may be its address: the host is known only now */
  if(!sl__polite_take_host(t) || !take_origin(t)) {
    fail(t, SL_ERR_INTERNAL, 0, "out of memory");
    return;
  }
  sl__robots_host(t); /* its Crawl-delay, for the key now known */
  gate_step(t);
}

/* Its URL checked and its deadline armed; false when the task failed. */
static bool prepare(struct sl_task *t)
{
  struct sl_ctx *ctx = t->ctx;
  const char *why;
  if(t->rx.why) {
    fail(t, SL_ERR_INVALID_REQUEST, 0, t->rx.why);
    return false;
  }
  if(!sl__url_host(sl__task_cur_url(t), t->host_name, sizeof(t->host_name),
                   &t->port, &why)) {
    fail(t, SL_ERR_INVALID_URL, 0, why);
    return false;
  }
  if(t->deadline > 0 && sl__timers_arm(&ctx->timers, &t->tmr, t->deadline)) {
    fail(t, SL_ERR_INTERNAL, 0, "out of memory");
    return false;
  }
  return true;
}

void sl__admit_init(struct sl_task *t)
{
  sl_tmr_init(&t->tmr, deadline_due);
  sl_tmr_init(&t->stage_tmr, stage_due);
  t->dns.done = resolved;
  /* every wait of the task is in its priority's order */
  t->stage_tmr.prio = t->wait.prio = t->host_wait.prio = t->dns.prio =
      t->gate_wait.prio = t->priority;
}

void sl__admit(struct sl_task *t)
{
  if(prepare(t) && sl__robots_admit(t))
    sl__admit_name(t);
}

void sl__admit_name(struct sl_task *t)
{
  struct sl_name_result r;
  if(sl__resolve(t->ctx->resolver, t->host_name, t->port, &t->dns, &r))
    resolved(&t->dns, &r);
  else
    sl__task_stage(t, SL_ST_RESOLVING);
}

/* Leaves whatever queue or timer it waits on and gives back its slots;
   whatever its stage says, and again and again. */
static void leave(struct sl_task *t)
{
  struct sl_ctx *ctx = t->ctx;
  sl__timers_disarm(&ctx->timers, &t->stage_tmr);
  sl__resolve_leave(&t->dns);
  sl__robots_leave(t);
  if(t->host_running) {
    t->host->running--;
    t->host_running = false;
  }
  if(t->host)
    sl_sem_remove(&t->host->sem, &t->host_wait);
  if(t->origin)
    sl_sem_remove(&t->origin->gate, &t->gate_wait);
  sl_sem_remove(&ctx->adm.sem, &t->wait);
  if(t->holds_permit) {
    t->holds_permit = false;
    global_release(ctx);
  }
  if(t->holds_host) {
    t->holds_host = false;
    host_release(t->host);
  }
  if(t->holds_gate) { /* a closed gate passes to the next */
    t->holds_gate = false;
    sl__admit_gate_passed(sl_sem_release(&t->origin->gate), t->origin);
  }
}

void sl__admit_cancel(struct sl_task *t)
{
  if(t->stage == SL_ST_RUNNING)
    sl__xfer_stop(&t->ctx->xfer, t);
  else
    leave(t);
}

void sl__admit_release(struct sl_task *t)
{
  leave(t);
  sl__resolve_list_unref(t->resolve);
  t->resolve = NULL;
  if(t->host) {
    sl_hosts_put(&t->ctx->adm.hosts, t->host, now_ns(t));
    t->host = NULL;
  }
  if(t->origin) {
    sl__origin_put(t->origin);
    t->origin = NULL;
  }
}

void sl__admit_redirect(struct sl_task *t)
{
  sl__admit_release(t);
  sl__admit(t);
}

void sl__admit_pause_host(struct sl_task *t, int64_t delay)
{
  int64_t now = now_ns(t);
  if(t->host)
    sl_host_pause_until(t->host, now + delay, now);
}

bool sl__admit_retry(struct sl_task *t, int64_t delay)
{
  struct sl_ctx *ctx = t->ctx;
  int64_t now = now_ns(t);
  leave(t);
  sl__task_stage(t, SL_ST_BACKOFF);
  if(t->deadline > 0 && sl__timers_arm(&ctx->timers, &t->tmr, t->deadline))
    return false;
  wait_until(t, SL_ST_BACKOFF, now + delay);
  return true;
}
