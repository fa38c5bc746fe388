/*
 * services.c - the loop services a program around the fetcher needs, in
 * asyncio's terms: call_later (a timer on the context's heap),
 * add_signal_handler (a libev signal watcher through loop/) and
 * add_reader (an ev_io through loop/, one per file descriptor).  The
 * command line uses them for --deadline, its flush and progress timers,
 * signals, and input from pipes read as it comes.
 */
#include "base/container_of.h"
#include "base/list.h"
#include "fetcher/ctx.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>

struct sl_timer {
  struct sl_tmr tmr;
  struct sl_ctx *ctx;
  void (*cb)(void *ud);
  void *ud;
  struct sl_timer *prev, *next; /* ctx->user_timers */
};

/* A caller's timer keeps its loop alive, as an ev_timer of its own
   would: the context holds the loop while one is armed. */
static void unlink_timer(struct sl_timer *tm)
{
  struct sl_ctx *ctx = tm->ctx;
  SL_LIST_REMOVE(ctx->user_timers, ctx->user_timers_tail, tm, prev, next);
  sl__ctx_hold(ctx);
}

static void fire(struct sl_tmr *tmr)
{
  struct sl_timer *tm = sl_container_of(tmr, struct sl_timer, tmr);
  void (*cb)(void *ud) = tm->cb;
  void *ud = tm->ud;
  unlink_timer(tm);
  free(tm);
  cb(ud);
}

sl_timer *sl_call_later(sl_ctx *ctx, long ms, void (*cb)(void *ud), void *ud)
{
  struct sl_timer *tm;
  if(!ctx || !cb)
    return NULL;
  tm = calloc(1, sizeof(*tm));
  if(!tm)
    return NULL;
  sl_tmr_init(&tm->tmr, fire);
  tm->ctx = ctx;
  tm->cb = cb;
  tm->ud = ud;
  if(sl__timers_arm_in(&ctx->timers, &tm->tmr, ms)) {
    free(tm);
    return NULL;
  }
  SL_LIST_APPEND(ctx->user_timers, ctx->user_timers_tail, tm, prev, next);
  sl__ctx_hold(ctx);
  return tm;
}

void sl_timer_cancel(sl_timer *tm)
{
  if(!tm)
    return;
  sl__timers_disarm(&tm->ctx->timers, &tm->tmr);
  unlink_timer(tm);
  free(tm);
}

int sl_on_signal(sl_ctx *ctx, int signum, void (*cb)(int signum, void *ud),
                 void *ud)
{
  if(!ctx || !cb)
    return SL_EINVAL;
  if(sl_loop_signal_start(ctx->loop, signum, cb, ud) == 0)
    return SL_OK;
  return errno == EBUSY ? SL_EBUSY : errno == ENOMEM ? SL_ENOMEM : SL_EINVAL;
}

void sl_off_signal(sl_ctx *ctx, int signum)
{
  if(ctx)
    sl_loop_signal_stop(ctx->loop, signum);
}

/* A watched file descriptor; few per context, so a list. */
struct sl_reader {
  struct sl_loop_reader *lr;
  int fd;
  bool kept; /* counted in ctx->readers_kept */
  struct sl_reader *prev, *next;
};

static struct sl_reader *reader_of(const struct sl_ctx *ctx, int fd)
{
  for(struct sl_reader *r = ctx->readers; r; r = r->next)
    if(r->fd == fd)
      return r;
  return NULL;
}

int sl_add_reader(sl_ctx *ctx, int fd, void (*cb)(int fd, void *ud), void *ud)
{
  struct sl_reader *r;
  if(!ctx || !cb || fd < 0)
    return SL_EINVAL;
  r = reader_of(ctx, fd);
  if(r) {
    sl_loop_reader_set(r->lr, cb, ud);
    return SL_OK;
  }
  r = calloc(1, sizeof(*r));
  if(!r)
    return SL_ENOMEM;
  r->fd = fd;
  r->lr = sl_loop_reader_new(ctx->loop, fd, cb, ud);
  if(!r->lr) {
    free(r);
    return SL_ENOMEM;
  }
  SL_LIST_APPEND(ctx->readers, ctx->readers_tail, r, prev, next);
  return SL_OK;
}

int sl_reader_keep_alive(sl_ctx *ctx, int fd, bool keep)
{
  struct sl_reader *r;
  if(!ctx)
    return SL_EINVAL;
  r = reader_of(ctx, fd);
  if(!r)
    return SL_ENOENT;
  if(r->kept != keep) {
    r->kept = keep;
    if(keep)
      ctx->readers_kept++;
    else
      ctx->readers_kept--;
    sl_loop_reader_hold(r->lr, keep);
  }
  return SL_OK;
}

bool sl_remove_reader(sl_ctx *ctx, int fd)
{
  struct sl_reader *r = ctx ? reader_of(ctx, fd) : NULL;
  if(!r)
    return false;
  if(r->kept)
    ctx->readers_kept--;
  SL_LIST_REMOVE(ctx->readers, ctx->readers_tail, r, prev, next);
  sl_loop_reader_free(r->lr);
  free(r);
  return true;
}

void sl__services_free_all(struct sl_ctx *ctx)
{
  while(ctx->user_timers)
    sl_timer_cancel(ctx->user_timers);
  while(ctx->readers)
    sl_remove_reader(ctx, ctx->readers->fd);
}
