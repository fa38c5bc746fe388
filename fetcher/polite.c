/*
 * polite.c - politeness keys: what a task's host is (its host name and
 * port, its registrable domain, or its address: sl_options.politeness),
 * a key's own limits set at run time (a crawler's Crawl-delay), and what
 * the host table knows of one key (tasks waiting and running, its limit,
 * its pause), and robots.txt's Crawl-delay as a key's limits.  The table
 * itself is limits/hosts.c; admit.c takes a task's entry through here
 * once its name is resolved, and counts the running tasks in it.
 */
#include "fetcher/ctx.h"

#include "fetcher/domain.h"
#include "limits/hosts.h"
#include "limits/rate.h"

#include <stdio.h>
#include <string.h>

int sl_host_stats(sl_ctx *ctx, const char *key, struct sl_host_stats *out)
{
  struct sl_host *h;
  int64_t now;
  if(out)
    memset(out, 0, sizeof(*out));
  if(!ctx || !key || !out)
    return SL_EINVAL;
  h = sl_hosts_find(&ctx->adm.hosts, key);
  if(!h)
    return SL_ENOENT;
  now = sl_loop_now(ctx->loop);
  out->running = h->running;
  out->waiting = h->users - h->running;
  out->max_conns = h->sem.limit == SIZE_MAX ? 0 : h->sem.limit;
  if(sl_host_paused(h, now))
    out->paused_ms =
        (long)((h->pause_until - now + SL_NS_PER_MS - 1) / SL_NS_PER_MS);
  return SL_OK;
}

/* The key of t's host when it is not host:port: its registrable domain,
   or the address it resolved to (an address as written, or a name left
   to a proxy: the name), into t->key; its length, 0 when it does not
   fit. */
static size_t other_key(struct sl_task *t)
{
  const char *k = t->host_name;
  size_t n;
  if(t->ctx->adm.key_by == SL_POLITE_DOMAIN)
    k = sl__registrable_domain(t->host_name);
  else if(sl__resolve_first_addr(t->resolve, t->key, sizeof(t->key)))
    return strlen(t->key);
  n = strlen(k);
  if(n >= sizeof(t->key))
    return 0;
  memcpy(t->key, k, n + 1);
  return n;
}

bool sl__polite_take_host(struct sl_task *t)
{
  struct sl_hosts *hs = &t->ctx->adm.hosts;
  int64_t now = sl_loop_now(t->ctx->loop);
  size_t n;
  /* always: a Retry-After pauses a host even without per-host limits */
  if(t->ctx->adm.key_by == SL_POLITE_HOST) { /* the table makes host:port */
    t->host = sl_hosts_get(hs, t->host_name, t->port, now);
    if(t->host && (n = strlen(sl_host_key(t->host))) < sizeof(t->key))
      memcpy(t->key, sl_host_key(t->host), n + 1);
  } else if((n = other_key(t)))
    t->host = sl_hosts_get_key(hs, t->key, n, now);
  return t->host != NULL;
}

const char *sl_task_host_key(const sl_task *t)
{
  return t && t->key[0] ? t->key : NULL;
}

/* l's rate into *r: l->rate parsed, or one per l->interval_ms, or count
   0 (none); NULL for the context's.  false when it is not one. */
static bool wanted_rate(const struct sl_host_limits *l, struct sl_rate *r,
                        const struct sl_rate **out)
{
  const char *why;
  *out = r;
  r->count = 0;
  if(l->interval_ms > 0 && l->rate)
    return false;
  if(l->interval_ms > 0)
    return sl_rate_set(r, 1, sl_ns_from_ms(l->interval_ms));
  if(!l->rate)
    *out = NULL;
  else if(*l->rate)
    return sl_rate_parse(l->rate, r, &why);
  return true;
}

int sl_host_limits_set(sl_ctx *ctx, const char *key,
                       const struct sl_host_limits *l)
{
  struct sl_hosts *hs = ctx ? &ctx->adm.hosts : NULL;
  char low[SL_KEY_MAX];
  struct sl_rate r;
  const struct sl_rate *rate = NULL;
  struct sl_host *h;
  int64_t now;
  size_t n = key ? strlen(key) : 0;
  if(!ctx || !n || n >= sizeof(low) || (l && !wanted_rate(l, &r, &rate)))
    return SL_EINVAL;
  for(size_t i = 0; i <= n; i++)
    low[i] = (key[i] >= 'A' && key[i] <= 'Z') ? (char)(key[i] + 32) : key[i];
  now = sl_loop_now(ctx->loop);
  h = l ? sl_hosts_pin(hs, low, n, now) : sl_hosts_find(hs, low);
  if(!h)
    return l ? SL_ENOMEM : SL_OK;
  if(l && l->pause_ms > 0)
    sl_host_pause_until(h, now + sl_ns_from_ms(l->pause_ms), now);
  sl__admit_host_slots(sl_host_set_limits(hs, h, l ? l->max_conns : 0, rate,
                                          l && l->interval_ms > 0 ? 1 : 0,
                                          now),
                       h);
  if(!l) /* back to the context's limits, and forgettable again */
    sl_hosts_unpin(hs, h, now);
  return SL_OK;
}

void sl__polite_crawl_delay(struct sl_task *t, int64_t delay)
{
  struct sl_hosts *hs = &t->ctx->adm.hosts;
  struct sl_host *h = t->host;
  int64_t now = sl_loop_now(t->ctx->loop), iv;
  struct sl_rate r;
  if(!h)
    return;
  iv = h->has_bucket ? h->bucket.interval.ns : 0;
  if(h->sem.limit <= 1 && iv >= delay && h->bucket.burst <= 1)
    return; /* as strict already: the caller's, or applied before */
  if(!sl_rate_set(&r, 1, iv > delay ? iv : delay) ||
     sl_hosts_pin(hs, t->key, strlen(t->key), now) != h)
    return;
  sl__admit_host_slots(sl_host_set_limits(hs, h, 1, &r, 1, now), h);
  sl_host_take(h, now); /* the robots.txt request was the first */
}
