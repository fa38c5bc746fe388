/*
 * response.h - what curl knows of a transfer that ended (or was
 * cancelled), copied into its task before the handle goes back to the
 * pool, and the CURLcode it ended with turned into an error kind.
 * transfer.c calls these; it reports, and outcome.c decides.
 */
#ifndef SL_FETCHER_RESPONSE_H
#define SL_FETCHER_RESPONSE_H

#include "sluice.h"

#include <stdbool.h>

#include <curl/curl.h>

struct sl_task;

/* Copies status, version, headers asked for, timing, address and strings
   from the handle e into t->resp. */
void sl__response_keep(struct sl_task *t, CURL *e);

/* Whether curl's CURLINFO_RESPONSE_CODE is a status at all: what it
   reads of a broken status line can be 0, 1 or 3011 ("HTTP/2 3011"). */
static inline bool sl__status_is_http(long status)
{
  return status >= 100 && status <= 999;
}

/* curl's CURLINFO_HTTP_VERSION as the API gives it: 10, 11, 20, 30. */
int sl__http_version(long v);

/* The headers of the response e has now (the last one: not a 1xx, nor a
   redirect followed) into t->headers; false when memory ran out. */
bool sl__response_keep_headers(struct sl_task *t, CURL *e);

/* The outcome of a try that curl ended with rc on handle e (errbuf:
   curl's words; sock_errno: errno of a socket() that failed, or 0):
   SL_ERR_NONE, or the kind with t's error set. */
enum sl_error_kind sl__response_outcome(struct sl_task *t, CURLcode rc,
                                        const char *errbuf, CURL *e,
                                        int sock_errno);

/* Clears what one try (or one redirect) left in t: response, buffers,
   error; the time it was queued stays.  A body already given to on_body
   is to be forgotten before the next piece. */
void sl__response_reset(struct sl_task *t);

#endif
