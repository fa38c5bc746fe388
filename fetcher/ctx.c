/*
 * ctx.c - the context: owns (or borrows) the loop, admits new tasks under
 * the global concurrency cap, runs done callbacks, pools task structs, and
 * tears everything down in order.
 *
 * All deferred work happens in tick(), which the loop runs in the check
 * phase of an iteration after sl_loop_wake(): tasks created by sl_fetch()
 * are admitted there, and done callbacks run there, so user code never
 * runs inside curl and never inside the call that scheduled it.
 */
#include "fetcher/internal.h"

#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void link_all(struct sl_ctx *ctx, struct sl_task *t)
{
  SL_LIST_APPEND(ctx->all, ctx->all_tail, t, all_prev, all_next);
}

static void unlink_all(struct sl_ctx *ctx, struct sl_task *t)
{
  SL_LIST_REMOVE(ctx->all, ctx->all_tail, t, all_prev, all_next);
}

int sl__ctx_arm(struct sl_ctx *ctx, struct sl_tmr *tm, double at)
{
  if(ctx->in_alarm && at <= ctx->alarm_limit) /* see on_alarm() */
    at = nextafter(ctx->alarm_limit, INFINITY);
  if(sl_tmr_arm(&ctx->timers, tm, at))
    return -1;
  if(sl_tmr_first(&ctx->timers) == tm)
    sl_loop_set_alarm(ctx->loop, at);
  return 0;
}

/* The loop's alarm: fire every timer that is due, then re-arm for the
   next one.  A timer up to ALARM_EARLY ahead counts as due (the loop's
   clock and libev's timers do not line up to the microsecond, and epoll
   waits in whole milliseconds).  now is fixed for the pass, so a timer
   armed during it for a time the pass counts as due (a rate token 0.3 ms
   ahead, or 50 ns ahead, which as a double of seconds since 1970 is now
   itself) would fire again and again with the same now, forever:
   sl__ctx_arm() moves such a timer just past the pass, to the next turn
   of the loop, with a fresh now. */
#define ALARM_EARLY 0.0005

static void on_alarm(void *ud)
{
  struct sl_ctx *ctx = ud;
  struct sl_tmr *tm;
  ctx->alarm_limit = sl_loop_now(ctx->loop) + ALARM_EARLY;
  ctx->in_alarm = true;
  while((tm = sl_tmr_first(&ctx->timers)) && tm->at <= ctx->alarm_limit) {
    sl_tmr_disarm(&ctx->timers, tm);
    tm->fire(tm);
  }
  ctx->in_alarm = false;
  sl_loop_set_alarm(ctx->loop, tm ? tm->at : -1.);
}

/* Takes the oldest new task off the incoming list and into admission. */
static void admit_new(struct sl_ctx *ctx, struct sl_task *t)
{
  SL_LIST_REMOVE(ctx->in_head, ctx->in_tail, t, in_prev, in_next);
  t->in_incoming = false;
  sl__admit(t);
}

static void dispatch(struct sl_ctx *ctx)
{
  struct sl_task *t;
  ctx->dispatch_depth++;
  while((t = ctx->done_head)) {
    ctx->done_head = t->done_next;
    if(!ctx->done_head)
      ctx->done_tail = NULL;
    t->done_next = NULL;
    t->queued = false;
    sl__task_dispatch(t);
  }
  ctx->dispatch_depth--;
}

static void tick(void *ud)
{
  struct sl_ctx *ctx = ud;
  int rounds = 0;
  /* callbacks often create tasks (refilling a window): admit those in the
     same iteration, but give I/O a turn after a few rounds */
  do {
    while(ctx->in_head)
      admit_new(ctx, ctx->in_head);
    dispatch(ctx);
    sl__group_dispatch(ctx);
  } while(ctx->in_head && ++rounds < 4);
  if(ctx->in_head || ctx->done_head || ctx->gdone_head)
    sl_loop_wake(ctx->loop);
}

static void on_transfer_done(void *ud, CURL *easy, CURLcode rc)
{
  (void)ud;
  sl__transfer_done(sl__easy_task(easy), rc);
}

bool sl_rate_check(const char *rate, const char **why)
{
  struct sl_rate r;
  const char *w = "no rate given";
  bool ok = rate && sl_rate_parse(rate, &r, &w);
  if(!ok && why)
    *why = w;
  return ok;
}

/* The politeness options: the host table, the global bucket, the retry
   policy.  0, or -1 with errno set. */
static int limits_init(struct sl_ctx *ctx, const struct sl_options *o)
{
  struct sl_hosts_config hc;
  struct sl_rate rate;
  const char *why;
  sl_hosts_config_init(&hc);
  hc.max_conns = o->per_host ? o->per_host : SIZE_MAX;
  hc.burst = o->burst;
  hc.seed = (uint64_t)(uintptr_t)ctx ^ (uint64_t)time(NULL);
  if(o->host_rate && !sl_rate_parse(o->host_rate, &hc.rate, &why)) {
    errno = EINVAL;
    return -1;
  }
  if(o->rate) {
    if(!sl_rate_parse(o->rate, &rate, &why)) {
      errno = EINVAL;
      return -1;
    }
    sl_bucket_init(&ctx->global_rate, &rate, o->burst, 0);
    ctx->has_rate = true;
  }
  if(!sl_hosts_init(&ctx->hosts, &hc)) {
    errno = ENOMEM;
    return -1;
  }
  ctx->hosts_ready = true;
  if(o->dns_servers && !(ctx->dns_servers = strdup(o->dns_servers))) {
    errno = ENOMEM;
    return -1;
  }
  ctx->dns_config.servers = ctx->dns_servers;
  ctx->dns_config.timeout_ms = o->dns_timeout_ms;
  for(const char *const *r = o->resolve; r && *r; r++) {
    if(sl__resolve_add_static(ctx, *r)) {
      errno = EINVAL;
      return -1;
    }
  }
  sl_retry_init(&ctx->retry, hc.seed);
  ctx->retry.max_attempts = o->retries + 1;
  if(o->retry_max_delay_ms > 0)
    ctx->retry.cap = (int64_t)o->retry_max_delay_ms * SL_NS_PER_MS;
  return 0;
}

sl_ctx *sl_ctx_new(const struct sl_options *opts)
{
  static const struct sl_options defaults;
  static const struct sl_loop_hooks hooks = {on_transfer_done, tick, on_alarm};
  struct sl_ctx *ctx;
  unsigned conc;

  if(!opts)
    opts = &defaults;
  /* a line break would let the value inject headers */
  if((unsigned)opts->http_version > SL_HTTP_1_1 ||
     (opts->user_agent && strpbrk(opts->user_agent, "\r\n"))) {
    errno = EINVAL;
    return NULL;
  }
  if(curl_global_init(CURL_GLOBAL_DEFAULT))
    return NULL;
  ctx = calloc(1, sizeof(*ctx));
  if(!ctx)
    goto fail;
  conc = opts->max_concurrency ? opts->max_concurrency : 50;
  sl_sem_init(&ctx->sem, conc);
  ctx->max_easy = opts->max_pooled_handles ? opts->max_pooled_handles : conc;
  ctx->easy_pool = calloc(ctx->max_easy, sizeof(*ctx->easy_pool));
  if(!ctx->easy_pool)
    goto fail;
  ctx->max_spare = conc < 32 ? 64 : (size_t)conc * 2;
  if(sl__transfer_config(ctx, opts))
    goto fail;
  if(limits_init(ctx, opts))
    goto fail;
  ctx->owns_loop = !opts->loop;
  ctx->warn = opts->warn;
  ctx->warn_ud = opts->warn_ud;
  ctx->quiet = opts->quiet;
  ctx->loop = sl_loop_new(opts->loop, &hooks, ctx);
  if(!ctx->loop)
    goto fail;
  /* curl's default cache is 4 x the handles added *now*, so every dip in
     the number in flight would close idle connections: size it from the
     cap instead */
  sl_loop_set_max_connects(ctx->loop, conc < 8 ? 16 : (long)conc * 2);
  return ctx;
fail:
  if(ctx) {
    int err = errno;
    sl__resolve_free(ctx);
    free(ctx->dns_servers);
    if(ctx->hosts_ready)
      sl_hosts_free(&ctx->hosts);
    errno = err;
    free(ctx->easy_pool);
    free(ctx->ca_file);
    curl_slist_free_all(ctx->headers);
    free(ctx);
  }
  curl_global_cleanup();
  return NULL;
}

/* asyncio's "Task exception was never retrieved". */
static void warn_unretrieved(struct sl_ctx *ctx, struct sl_task *t)
{
  char msg[512];
  if(ctx->quiet || t->state != SL_FAILED || t->retrieved)
    return;
  snprintf(msg, sizeof(msg),
           "sluice: task error was never retrieved: %s (%s): %s: %s",
           sl_task_name(t), t->url.p, sl_error_kind_name(t->err.kind),
           t->err.message);
  if(ctx->warn)
    ctx->warn(msg, ctx->warn_ud);
  else
    fprintf(stderr, "%s\n", msg);
}

void sl__ctx_recycle(struct sl_ctx *ctx, struct sl_task *t)
{
  warn_unretrieved(ctx, t);
  unlink_all(ctx, t);
  if(ctx->closing || ctx->nspare >= ctx->max_spare) {
    sl__task_destroy(t);
    return;
  }
  /* keep the buffers (their memory is reused), bounded in size */
  sl_buf_reset(&t->url, 4096);
  sl_buf_reset(&t->name, 256);
  sl_buf_reset(&t->msg, 1024);
  sl_buf_reset(&t->body, 64 * 1024);
  sl_buf_reset(&t->headers, 16 * 1024);
  sl_buf_reset(&t->meta, 4096);
  if(t->cbs != t->cbs_inline) {
    free(t->cbs);
    t->cbs = t->cbs_inline;
    t->cbs_cap = SL_INLINE_CBS;
  }
  t->all_next = ctx->spare;
  ctx->spare = t;
  ctx->nspare++;
}

static struct sl_task *task_alloc(struct sl_ctx *ctx)
{
  struct sl_task *t = ctx->spare;
  struct sl_buf bufs[6];
  if(!t) {
    t = calloc(1, sizeof(*t));
    if(!t)
      return NULL;
    t->cbs = t->cbs_inline;
    t->cbs_cap = SL_INLINE_CBS;
    sl__admit_init_task(t);
    return t;
  }
  ctx->spare = t->all_next;
  ctx->nspare--;
  bufs[0] = t->url;
  bufs[1] = t->name;
  bufs[2] = t->msg;
  bufs[3] = t->body;
  bufs[4] = t->headers;
  bufs[5] = t->meta;
  memset(t, 0, sizeof(*t));
  t->url = bufs[0];
  t->name = bufs[1];
  t->msg = bufs[2];
  t->body = bufs[3];
  t->headers = bufs[4];
  t->meta = bufs[5];
  t->cbs = t->cbs_inline;
  t->cbs_cap = SL_INLINE_CBS;
  sl__admit_init_task(t);
  return t;
}

sl_task *sl_fetch(sl_ctx *ctx, const struct sl_request *req)
{
  return sl__fetch(ctx, req, NULL);
}

sl_task *sl__fetch(struct sl_ctx *ctx, const struct sl_request *req,
                   struct sl_group *g)
{
  struct sl_task *t;
  const char *url;
  if(!ctx || !req) {
    errno = EINVAL;
    return NULL;
  }
  if(ctx->closing) {
    errno = ECANCELED;
    return NULL;
  }
  t = task_alloc(ctx);
  if(!t) {
    errno = ENOMEM;
    return NULL;
  }
  url = req->url ? req->url : "";
  if(sl_buf_append(&t->url, url, strlen(url))) {
    sl__task_destroy(t);
    errno = ENOMEM;
    return NULL;
  }
  t->ctx = ctx;
  t->id = ++ctx->next_id;
  t->user_ref = true;
  t->refs = 1;
  t->flags = req->flags;
  t->connect_timeout_ms = req->connect_timeout_ms;
  t->max_redirects = req->max_redirects;
  t->max_body = req->max_body;
  t->userdata = req->userdata;
  t->created_at = sl_loop_now(ctx->loop);
  if(req->timeout_ms > 0)
    t->deadline = t->created_at + (double)req->timeout_ms / 1000.0;
  if(g && g->deadline > 0 && (!t->deadline || g->deadline < t->deadline))
    t->deadline = g->deadline;
  t->err.message = "";
  t->state = SL_PENDING;
  ctx->stats.created++;
  ctx->stats.pending++;
  link_all(ctx, t);
  if(g)
    sl__group_task_added(g, t);

  t->in_incoming = true;
  SL_LIST_APPEND(ctx->in_head, ctx->in_tail, t, in_prev, in_next);
  sl_loop_wake(ctx->loop);
  return t;
}

static bool busy(const struct sl_ctx *ctx)
{
  return ctx->stats.pending || ctx->stats.running || ctx->done_head ||
         ctx->gdone_head;
}

int sl__ctx_can_block(const struct sl_ctx *ctx)
{
  if(!ctx)
    return SL_EINVAL;
  if(!ctx->owns_loop || ctx->dispatch_depth || sl_loop_depth(ctx->loop))
    return SL_EBUSY;
  return SL_OK;
}

void sl__ctx_run_once(struct sl_ctx *ctx)
{
  sl_loop_run_once(ctx->loop);
}

int sl_run(sl_ctx *ctx)
{
  int rc = sl__ctx_can_block(ctx);
  if(rc)
    return rc;
  while(busy(ctx))
    sl_loop_run_once(ctx->loop);
  return SL_OK;
}

int sl_task_wait(sl_task *t)
{
  int rc = t ? sl__ctx_can_block(t->ctx) : SL_EINVAL;
  if(rc)
    return rc;
  while(!sl_task_is_final(t))
    sl_loop_run_once(t->ctx->loop);
  return SL_OK;
}

size_t sl_ctx_foreach_task(sl_ctx *ctx, bool (*fn)(sl_task *t, void *ud),
                           void *ud)
{
  struct sl_task *t;
  size_t n = 0;
  for(t = ctx->all; t; t = t->all_next) {
    if(sl_task_is_final(t))
      continue;
    n++;
    if(!fn(t, ud))
      break;
  }
  return n;
}

struct ev_loop *sl_ctx_loop(const sl_ctx *ctx)
{
  return sl_loop_ev(ctx->loop);
}

void sl_ctx_stats(const sl_ctx *ctx, struct sl_stats *out)
{
  *out = ctx->stats;
  out->dns_queries = ctx->stats_dns_queries;
}

void sl_ctx_free(sl_ctx *ctx)
{
  struct sl_task *t;
  if(!ctx)
    return;
  ctx->closing = true;
  /* pending first, so no permit freed below admits a waiter */
  for(t = ctx->all; t; t = t->all_next)
    if(t->state == SL_PENDING)
      sl_task_cancel(t, "context closed");
  for(t = ctx->all; t; t = t->all_next)
    if(t->state == SL_RUNNING)
      sl_task_cancel(t, "context closed");
  dispatch(ctx);
  sl__group_free_all(ctx);
  sl__as_completed_free_all(ctx);
  sl__services_free_all(ctx);
  while((t = ctx->all)) {
    warn_unretrieved(ctx, t);
    unlink_all(ctx, t);
    sl__task_destroy(t);
  }
  while((t = ctx->spare)) {
    ctx->spare = t->all_next;
    sl__task_destroy(t);
  }
  sl__resolve_free(ctx); /* every task is gone: no waiter left */
  free(ctx->dns_servers);
  sl__easy_pool_free(ctx);
  sl_tmr_heap_free(&ctx->timers);
  sl_hosts_free(&ctx->hosts);
  sl_loop_free(ctx->loop);
  free(ctx->ca_file);
  curl_slist_free_all(ctx->headers);
  free(ctx);
  curl_global_cleanup();
}
