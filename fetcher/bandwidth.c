/*
 * bandwidth.c - the bandwidth caps on running transfers.  See
 * bandwidth.h.
 *
 * A piece that finds a bucket empty pauses its transfer: libcurl keeps
 * the piece and stops reading the socket, the kernel's buffers fill and
 * TCP slows the server down, so nothing more is received than the caps
 * allow (the pieces libcurl hands over are at most 16 KiB, so each
 * bucket is at most one piece in debt).  The unpause is a timer at the
 * time the buckets allow the next piece, on the task's stage timer, free
 * while it runs; every way a task leaves RUNNING disarms it (admit.c's
 * leave).  Counted: body bytes as the write callback gets them (decoded
 * when the request asked for a coding), so a compressed body takes less
 * of the network than its count.
 */
#include "fetcher/bandwidth.h"

#include "fetcher/admit.h"
#include "fetcher/ctx.h"
#include "fetcher/task.h"
#include "fetcher/transfer.h"

bool sl__bw_pass(struct sl_task *t, size_t len)
{
  struct sl_ctx *ctx = t->ctx;
  struct sl_admission *a = &ctx->adm;
  struct sl_host *h = t->host && t->host->has_bw ? t->host : NULL;
  int64_t now, at;

  if(!a->has_bw && !h)
    return true;
  now = sl_loop_now(ctx->loop);
  at = a->has_bw ? sl_byterate_next_at(&a->bw, now) : now;
  if(h && sl_byterate_next_at(&h->bw, now) > at)
    at = sl_byterate_next_at(&h->bw, now);
  if(at > now && !sl__timers_arm(&ctx->timers, &t->stage_tmr, at)) {
    t->bw_paused = true;
    return false;
  }
  /* (out of memory for the timer: on, rather than paused for ever) */
  if(a->has_bw)
    sl_byterate_take(&a->bw, now, len);
  if(h)
    sl_byterate_take(&h->bw, now, len);
  return true;
}

void sl__bw_resume(struct sl_task *t)
{
  CURL *easy;
  CURLcode rc;

  if(!t->bw_paused || t->stage != SL_ST_RUNNING)
    return;
  t->bw_paused = false;
  rc = sl__xfer_unpause(t, &easy);
  if(rc != CURLE_OK) {
    /* libcurl stops at the piece on_body refused, but would go on with
       the next: the transfer ends here, as it would have in curl */
    sl_loop_remove(t->ctx->loop, easy);
    sl__outcome(t->ctx, easy, rc);
  }
}
