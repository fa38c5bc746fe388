/*
 * polite.c - politeness seen from outside: what the host table knows of
 * one key (tasks waiting and running, its limit, its pause), for a
 * crawler that wants to know where its work stands.  The table itself
 * is limits/hosts.c; admit.c counts the running tasks in it.
 */
#include "fetcher/ctx.h"

#include "limits/hosts.h"

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
