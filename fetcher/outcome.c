/*
 * outcome.c - what a finished transfer leads to: the transfer module
 * copies the response out of curl, then here a redirect the task follows
 * becomes its next hop (redirect.c), a 429 or 503 with Retry-After
 * pauses the whole host, a retryable outcome goes back to PENDING for its
 * backoff (limits/retry.h decides), and anything else makes the task
 * final.
 */
#include "fetcher/admit.h"

#include "fetcher/ctx.h"
#include "fetcher/redirect.h"
#include "fetcher/response.h"
#include "fetcher/task.h"
#include "fetcher/transfer.h"

#include <time.h>

bool sl__http_date(const char *s, int64_t *unix_s)
{
  time_t t = curl_getdate(s, NULL);
  if(t == -1)
    return false;
  *unix_s = (int64_t)t;
  return true;
}

static enum sl_retry_fail fail_class(enum sl_error_kind kind)
{
  switch(kind) {
    case SL_ERR_NONE:
    case SL_ERR_HTTP:
      return SL_RETRY_FAIL_NONE;
    case SL_ERR_CONNECT:
      return SL_RETRY_FAIL_CONNECT;
    case SL_ERR_TIMEOUT:
      return SL_RETRY_FAIL_TIMEOUT;
    default:
      return SL_RETRY_FAIL_OTHER;
  }
}

/* A 429/503 with Retry-After pauses the whole host, retries or not. */
static void pause_host(struct sl_task *t, int64_t now)
{
  struct sl_retry *p = &t->ctx->adm.retry;
  long status = t->resp.status;
  int64_t pause;
  if((status == 429 || status == 503) && t->retry_after[0] &&
     sl_retry_after_parse(p, t->retry_after, now, &pause)) {
    if(pause > p->max_retry_after)
      pause = p->max_retry_after;
    sl__admit_pause_host(t, pause);
  }
}

/* After a try: true when the task will be tried again. */
static bool try_again(struct sl_task *t, enum sl_error_kind kind)
{
  struct sl_ctx *ctx = t->ctx;
  int64_t now = sl_loop_now(ctx->loop), delay = 0;
  struct sl_retry_outcome o = {0};

  pause_host(t, now);
  if(ctx->adm.retry.max_attempts <= 1 || kind == SL_ERR_CANCELLED)
    return false;
  o.fail = fail_class(kind);
  o.status = (int)t->resp.status;
  o.method = sl__reqx_method_name(&t->rx, t->flags);
  o.retry_after = t->retry_after[0] ? t->retry_after : NULL;
  o.tries = t->attempts;
  o.deadline = t->deadline > 0 ? t->deadline : SL_NS_NEVER;
  /* the loop's clock is the wall clock (ev_now) */
  if(sl_retry_decide(&ctx->adm.retry, &o, now, now, &delay) != SL_RETRY_YES)
    return false;
  sl__response_reset(t);
  return sl__admit_retry(t, delay);
}

/* After a try that ended with kind: retried, or final. */
static void settle(struct sl_task *t, enum sl_error_kind kind)
{
  if(!try_again(t, kind))
    sl__task_finish(t, kind == SL_ERR_NONE        ? SL_ST_DONE
                       : kind == SL_ERR_CANCELLED ? SL_ST_CANCELLED
                                                  : SL_ST_FAILED);
}

void sl__outcome(struct sl_ctx *ctx, CURL *easy, CURLcode rc)
{
  enum sl_error_kind kind;
  struct sl_task *t = sl__xfer_done(&ctx->xfer, easy, rc, &kind);
  if(kind == SL_ERR_NONE && sl__redirect(t))
    return;
  settle(t, kind);
}

void sl__outcome_expired(struct sl_task *t, int64_t now)
{
  sl__xfer_expire(&t->ctx->xfer, t, now);
  settle(t, SL_ERR_TIMEOUT);
}
