/*
 * ctx.c - the context, put together and taken apart: options checked,
 * each part (see ctx.h) made in order with one cleanup path, the loop's
 * hooks wired to the parts that answer them, and at the end every task
 * cancelled and every part freed in order.
 */
#include "fetcher/ctx.h"

#include "base/netspec.h"
#include "fetcher/robotsfetch.h"
#include "limits/rate.h"
#include "loop/dns.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void on_tick(void *ud)
{
  struct sl_ctx *ctx = ud;
  sl__sched_tick(&ctx->sched);
}

static void on_alarm(void *ud)
{
  struct sl_ctx *ctx = ud;
  sl__timers_fire(&ctx->timers);
}

static void on_transfer_done(void *ud, CURL *easy, CURLcode rc)
{
  sl__outcome(ud, easy, rc);
}

static void on_removed(void *ud, CURL *easy)
{
  sl__xfer_removed(&((struct sl_ctx *)ud)->xfer, easy);
}

static void on_conn(void *ud, void *owner, int delta)
{
  (void)ud;
  sl__origin_conn(owner, delta);
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

/* Options no part checks itself, and the proxy variables (curl would
   fail every URL for a malformed one).  0, or -1 with errno EINVAL. */
static int check_options(const struct sl_options *o)
{
  /* a line break would let the value inject headers */
  if((unsigned)o->http_version > SL_HTTP_1_1 ||
     (unsigned)o->politeness > SL_POLITE_IP ||
     (o->user_agent && strpbrk(o->user_agent, "\r\n")) ||
     (o->proxy && strpbrk(o->proxy, "\r\n")) || o->max_redirects < 0 ||
     (!o->proxy && !sl_proxy_env_check(NULL, NULL))) {
    errno = EINVAL;
    return -1;
  }
  return 0;
}

/* The name cache with o's servers (checked, in the form c-ares takes),
   timeout and fixed answers (checked).  0, or -1 with errno set. */
static int names_init(struct sl_ctx *ctx, const struct sl_options *o)
{
  struct sl_dns_config dc = {NULL, o->dns_timeout_ms, 0};
  struct sl_buf servers = {0};
  const char *why = NULL;
  if(o->dns_servers && *o->dns_servers &&
     (why = sl_netspec_dns_servers(&servers, o->dns_servers)))
    goto fail;
  dc.servers = servers.p;
  ctx->resolver = sl__resolver_new(ctx->loop, &dc, ctx->xfer.proxied);
  sl_buf_free(&servers);
  if(!ctx->resolver)
    return -1;
  for(const char *const *r = o->resolve; r && *r; r++) {
    if((why = sl_netspec_check_resolve(*r)))
      goto fail;
    if(sl__resolver_add_static(ctx->resolver, *r))
      return -1;
  }
  return 0;
fail:
  sl_buf_free(&servers);
  errno = why && !strcmp(why, "out of memory") ? ENOMEM : EINVAL;
  return -1;
}

static void tasks_init(struct sl_tasks *ts, const struct sl_options *o,
                       unsigned cap)
{
  const char *trace = getenv("SLUICE_TRACE");
  ts->max_spare = cap < 32 ? 64 : (size_t)cap * 2;
  ts->warn = o->warn;
  ts->warn_ud = o->warn_ud;
  ts->quiet = o->quiet;
  ts->trace = trace && strstr(trace, "stages");
}

/* Makes every part of ctx.  0, or -1 with errno set. */
static int parts_init(struct sl_ctx *ctx, const struct sl_options *o)
{
  static const struct sl_loop_hooks hooks = {on_transfer_done, on_tick,
                                             on_alarm, on_conn, on_removed};
  unsigned cap = o->max_concurrency ? o->max_concurrency : 50;
  uint64_t seed = (uint64_t)(uintptr_t)ctx ^ (uint64_t)time(NULL);

  ctx->owns_loop = !o->loop;
  errno = ENOMEM;
  if(!(ctx->loop = sl_loop_new(o->loop, &hooks, ctx)))
    return -1;
  /* curl's default cache is 4 x the handles added *now*, so every dip in
     the number in flight would close idle connections: size it from the
     cap instead */
  sl_loop_set_max_connects(ctx->loop, cap < 8 ? 16 : (long)cap * 2);
  ctx->sched.loop = ctx->loop;
  ctx->sched.owns_loop = ctx->owns_loop;
  sl__timers_init(&ctx->timers, ctx->loop);
  tasks_init(&ctx->tasks, o, cap);
  if(sl__origins_init(&ctx->origins, &ctx->sched, cap < 256 ? 256 : cap,
                      o->http_version == SL_HTTP_1_1, sl__admit_gate_passed))
    return -1;
  if(sl__xfer_init(&ctx->xfer, ctx->loop, &ctx->origins, o,
                   o->max_pooled_handles ? o->max_pooled_handles : cap))
    return -1;
  if(sl__admission_init(&ctx->adm, o, cap, seed))
    return -1;
  if(o->robots && !(ctx->robots = sl__robots_cache_new(o)))
    return -1;
  return names_init(ctx, o);
}

/* Frees the parts in the reverse order of parts_init (any of them may
   be missing). */
static void parts_free(struct sl_ctx *ctx)
{
  sl__resolver_free(ctx->resolver); /* no task is left: no waiter */
  sl__robots_cache_free(ctx->robots);
  sl__admission_free(&ctx->adm);
  sl__xfer_free(&ctx->xfer);
  sl__timers_free(&ctx->timers);
  sl_loop_free(ctx->loop); /* every easy handle is out of the multi */
  /* no easy handle has a share any more, no connection is open */
  sl__origins_free(&ctx->origins);
}

sl_ctx *sl_ctx_new(const struct sl_options *opts)
{
  static const struct sl_options defaults;
  struct sl_ctx *ctx;
  int err;

  if(!opts)
    opts = &defaults;
  if(check_options(opts))
    return NULL;
  if(curl_global_init(CURL_GLOBAL_DEFAULT)) {
    errno = EIO;
    return NULL;
  }
  ctx = calloc(1, sizeof(*ctx));
  if(!ctx) {
    errno = ENOMEM;
    goto fail;
  }
  if(parts_init(ctx, opts))
    goto fail;
  return ctx;
fail:
  err = errno;
  if(ctx) {
    parts_free(ctx);
    free(ctx);
  }
  curl_global_cleanup();
  errno = err;
  return NULL;
}

/* Cancels every live task, pending ones first so no slot freed below
   admits a waiter. */
static void cancel_all(struct sl_ctx *ctx)
{
  struct sl_task *t;
  for(t = ctx->tasks.all; t; t = t->all_next)
    if(t->state == SL_PENDING)
      sl_task_cancel(t, "context closed");
  for(t = ctx->tasks.all; t; t = t->all_next)
    if(t->state == SL_RUNNING)
      sl_task_cancel(t, "context closed");
}

void sl_ctx_free(sl_ctx *ctx)
{
  if(!ctx)
    return;
  ctx->tasks.closing = true;
  cancel_all(ctx);
  sl__sched_drain(&ctx->sched); /* the done callbacks, from inside here */
  sl__queue_free_all(ctx);
  sl__group_free_all(ctx);
  sl__as_completed_free_all(ctx);
  sl__services_free_all(ctx);
  sl__tasks_free(&ctx->tasks);
  parts_free(ctx);
  free(ctx);
  curl_global_cleanup();
}

size_t sl_ctx_foreach_task(sl_ctx *ctx, bool (*fn)(sl_task *t, void *ud),
                           void *ud)
{
  size_t n = 0;
  if(!ctx || !fn)
    return 0;
  for(struct sl_task *t = ctx->tasks.all; t; t = t->all_next) {
    if(sl_task_is_final(t))
      continue;
    n++;
    if(!fn(t, ud))
      break;
  }
  return n;
}

void sl__ctx_hold(struct sl_ctx *ctx)
{
  const struct sl_stats *s = &ctx->tasks.stats;
  sl_loop_hold(ctx->loop, s->pending || s->running || ctx->user_timers);
}

struct ev_loop *sl_ctx_loop(const sl_ctx *ctx)
{
  return ctx ? sl_loop_ev(ctx->loop) : NULL;
}

void sl_ctx_stats(const sl_ctx *ctx, struct sl_stats *out)
{
  if(!ctx || !out)
    return;
  *out = ctx->tasks.stats;
  out->dns_queries = sl__resolver_queries(ctx->resolver);
}
