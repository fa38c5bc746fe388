/*
 * transfer.h - a task's life inside curl: pooled easy handles set up from
 * the request, its body read from a file, the response body delivered,
 * and at the end the response (or the error, mapped from the CURLcode to
 * an sl_error_kind, response.c) copied out of curl.  It reports; it
 * decides nothing: what a finished transfer leads to (a redirect, a
 * retry, a final state) is outcome.c's.
 */
#ifndef SL_FETCHER_TRANSFER_H
#define SL_FETCHER_TRANSFER_H

#include "sluice.h"

#include "fetcher/request.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <curl/curl.h>

struct sl_loop;
struct sl_task;
struct sl_easy;
struct sl_origins;

/* What every easy handle of a context is given, and the pool. */
struct sl_xfer {
  struct sl_loop *loop;
  struct sl_origins *origins; /* the shares easy handles are given */
  struct sl_easy **pool;
  size_t npool, max_pool;
  enum sl_http_version http_version;
  char *ca_file;           /* NULL: the system's */
  char *proxy;             /* sl_options.proxy when not "": NULL */
  struct sl_ctx_hdrs hdrs; /* every request's: User-Agent, headers */
  long max_redirects;      /* for requests that leave theirs 0 */
  long buffer_size;        /* CURLOPT_BUFFERSIZE; 0: curl's */
  bool insecure;
  bool proxied; /* a proxy is set (here or in the environment, which
                   curl then reads): names are the proxy's */
};

/* Keeps the options of o; at most max_pool idle handles are kept.  0, or
   -1 with errno set. */
int sl__xfer_init(struct sl_xfer *x, struct sl_loop *loop,
                  struct sl_origins *origins, const struct sl_options *o,
                  size_t max_pool);
void sl__xfer_free(struct sl_xfer *x);

/* When a transfer of t started at loop time now must end (ns): the
   nearer of t's deadline and its try timeout; 0 for neither. */
int64_t sl__xfer_end(const struct sl_task *t, int64_t now);

/* Starts t's transfer at loop time now (ns).  backstop > 0: sluice's own
   timer ends the transfer at sl__xfer_end, and curl's timeout is set that
   much later, only for when the timer does not; 0: curl's timeout is the
   end itself.  0, or -1 with t's error set (its deadline has passed, out
   of memory). */
int sl__xfer_start(struct sl_xfer *x, struct sl_task *t, int64_t now,
                   int64_t backstop);

/* Unpauses t's running transfer (paused by bandwidth.c): libcurl hands
   the piece it kept to the write callback again before this returns.
   CURLE_OK, or the error that callback's refusal made (then the
   transfer is still in curl: *easy is its handle, for the caller to
   end). */
CURLcode sl__xfer_unpause(struct sl_task *t, CURL **easy);

/* Ends t's running transfer, keeping what came of the response: t is
   done with it at once; curl lets go of it (its connection closes) when
   the loop next serves curl (sl_loop_remove_later), and the handle comes
   back through sl__xfer_removed. */
void sl__xfer_stop(struct sl_xfer *x, struct sl_task *t);

/* The loop's removed hook: a handle sl__xfer_stop let go of is out of
   curl, back to the pool. */
void sl__xfer_removed(struct sl_xfer *x, CURL *easy);

/* t's running transfer reached its end (sl__xfer_end) at now on sluice's
   timer: stopped as by sl__xfer_stop, with the timeout error curl's own
   timeout would have given (timeout.c words it). */
void sl__xfer_expire(struct sl_xfer *x, struct sl_task *t, int64_t now);

/* A transfer curl finished with rc: fills its task's response and, when
   it is not a success, its error; gives the handle back.  Returns the
   task and sets *kind (SL_ERR_NONE for a success). */
struct sl_task *sl__xfer_done(struct sl_xfer *x, CURL *easy, CURLcode rc,
                              enum sl_error_kind *kind);

#endif
