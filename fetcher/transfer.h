/*
 * transfer.h - a task's life inside curl: pooled easy handles set up from
 * the request, and at the end the response (or the error, mapped from
 * the CURLcode to an sl_error_kind) copied out of curl.  It reports; it
 * decides nothing: what a finished transfer leads to (a retry, a final
 * state) is admission's (outcome.c).
 */
#ifndef SL_FETCHER_TRANSFER_H
#define SL_FETCHER_TRANSFER_H

#include "sluice.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <curl/curl.h>

struct sl_loop;
struct sl_task;
struct sl_easy;

/* What every easy handle of a context is given, and the pool. */
struct sl_xfer {
  struct sl_loop *loop;
  struct sl_easy **pool;
  size_t npool, max_pool;
  enum sl_http_version http_version;
  char *ca_file;              /* NULL: the system's */
  struct curl_slist *headers; /* every request's: User-Agent */
  bool proxy_env; /* a proxy variable was set: curl reads the env */
};

/* Keeps the options of o; at most max_pool idle handles are kept.  0, or
   -1 with errno set. */
int sl__xfer_init(struct sl_xfer *x, struct sl_loop *loop,
                  const struct sl_options *o, size_t max_pool);
void sl__xfer_free(struct sl_xfer *x);

/* Starts t's transfer at loop time now (ns).  0, or -1 with t's error
   set (its deadline has passed, out of memory). */
int sl__xfer_start(struct sl_xfer *x, struct sl_task *t, int64_t now);

/* Removes t's running transfer from curl at once. */
void sl__xfer_stop(struct sl_xfer *x, struct sl_task *t);

/* A transfer curl finished with rc: fills its task's response and, when
   it is not a success, its error; gives the handle back.  Returns the
   task and sets *kind (SL_ERR_NONE for a success). */
struct sl_task *sl__xfer_done(struct sl_xfer *x, CURL *easy, CURLcode rc,
                              enum sl_error_kind *kind);

/* Clears what one try left in t (response, buffers, error). */
void sl__xfer_reset(struct sl_task *t);

#endif
