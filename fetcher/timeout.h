/*
 * timeout.h - what a timeout says.  A task's deadline is counted from
 * when it was made (its timeout_ms, or its group's deadline if earlier),
 * and the message gives that time and where it went: waiting for a
 * slot, waiting to retry, or in the transfer.  curl's own message counts
 * only the transfer's share (CURLOPT_TIMEOUT_MS is what was left when it
 * started), so on its own it said "timed out after 194 milliseconds" for
 * a 1 s timeout that waited 806 ms for a slot; it is kept as the detail.
 */
#ifndef SL_FETCHER_TIMEOUT_H
#define SL_FETCHER_TIMEOUT_H

#include <stdint.h>

#include <curl/curl.h>

struct sl_task;

/* The task's deadline passed at `now` while it was PENDING: `where` says
   at what ("while waiting for a slot"). */
void sl__timeout_pending(struct sl_task *t, int64_t now, const char *where);

/* The task's host is paused (Retry-After) until `until`, at or after its
   deadline: it fails now rather than wait for nothing. */
void sl__timeout_paused(struct sl_task *t, int64_t now, int64_t until);

/* curl ended the transfer with CURLE_OPERATION_TIMEDOUT (the response
   kept); detail is curl's message.  Tells the request's deadline, its
   try timeout and the connect timeout apart: curl kept the nearest. */
void sl__timeout_transfer(struct sl_task *t, const char *detail);

#endif
