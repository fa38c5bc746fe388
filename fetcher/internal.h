/*
 * internal.h - the context and task structures shared by the files of
 * fetcher/, and the functions they call on each other.  Nothing here is
 * public: the API is include/sluice.h.
 */
#ifndef SL_FETCHER_INTERNAL_H
#define SL_FETCHER_INTERNAL_H

#include "sluice.h"
#include "fetcher/buf.h"
#include "limits/sem.h"
#include "loop/loop.h"

#include <curl/curl.h>

struct sl_cb {
  sl_done_cb cb; /* NULL once run or removed */
  void *ud;
};

#define SL_INLINE_CBS 2

struct sl_task {
  struct sl_ctx *ctx;
  enum sl_state state;
  uint64_t id;
  bool user_ref; /* the caller has not called sl_task_free() */
  bool queued;   /* on the ctx's done queue: callbacks due */
  bool in_incoming;
  bool holds_permit;
  bool too_large;
  bool nomem;       /* a body or header buffer could not grow */
  bool dispatching; /* its done callbacks are running */

  /* ctx->all: every task not recycled */
  struct sl_task *all_prev, *all_next;
  /* ctx->incoming (new, not yet admitted) */
  struct sl_task *in_prev, *in_next;
  /* ctx->done queue */
  struct sl_task *done_next;
  struct sl_sem_waiter wait; /* queued on the global semaphore */

  /* the request, copied */
  unsigned flags;
  long timeout_ms, connect_timeout_ms, max_redirects;
  size_t max_body;
  void *userdata;
  struct sl_buf url;
  struct sl_buf name; /* empty: "Task-<id>" */
  char namebuf[32];

  double created_at, started_at; /* loop time, seconds */
  CURL *easy;

  struct sl_response resp;
  struct sl_error err;
  char errbuf[CURL_ERROR_SIZE];
  struct sl_buf msg;     /* long error messages */
  struct sl_buf body;    /* SL_REQ_BUFFER_BODY */
  struct sl_buf headers; /* SL_REQ_KEEP_HEADERS: "Name: value\0"... */
  struct sl_buf meta;    /* strings the response points to */

  struct sl_cb cbs_inline[SL_INLINE_CBS];
  struct sl_cb *cbs; /* cbs_inline or heap */
  size_t ncbs, cbs_cap;
};

struct sl_ctx {
  struct sl_loop *loop;
  bool owns_loop;
  bool closing;
  unsigned dispatch_depth; /* > 0 while done callbacks run */
  uint64_t next_id;
  struct sl_stats stats;

  struct sl_sem sem; /* global concurrency cap */

  struct sl_task *all;
  struct sl_task *in_head, *in_tail;
  struct sl_task *done_head, *done_tail;
  struct sl_task *spare; /* recycled tasks, via all_next */
  size_t nspare, max_spare;

  CURL **easy_pool;
  size_t neasy, max_easy;
  CURLU *url_parser;
  char *user_agent;
};

/* task.c */
void sl__task_set_state(struct sl_task *t, enum sl_state st);
void sl__task_finish(struct sl_task *t, enum sl_state state);
void sl__task_set_error(struct sl_task *t, enum sl_error_kind kind, int code,
                        const char *msg);
void sl__task_dispatch(struct sl_task *t);
void sl__task_destroy(struct sl_task *t);

/* transfer.c */
int sl__transfer_start(struct sl_task *t);
void sl__transfer_done(struct sl_task *t, CURLcode rc);
void sl__transfer_stop(struct sl_task *t);
void sl__easy_pool_free(struct sl_ctx *ctx);

/* url.c */
bool sl__url_check(struct sl_ctx *ctx, const char *url, const char **why);

/* ctx.c */
void sl__ctx_release_permit(struct sl_ctx *ctx);
void sl__ctx_recycle(struct sl_ctx *ctx, struct sl_task *t);

#endif
