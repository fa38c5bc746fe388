/*
 * admit.h - admission: the way of a PENDING task through its name and
 * the limits to a running transfer, what it gives back when it leaves,
 * and the decision after a try (outcome.c): retry, pause the host, or
 * finish.  The limits themselves are limits/ (pure policy); this is
 * where they meet the loop.
 */
#ifndef SL_FETCHER_ADMIT_H
#define SL_FETCHER_ADMIT_H

#include "sluice.h"

#include "limits/bucket.h"
#include "limits/byterate.h"
#include "limits/hosts.h"
#include "limits/retry.h"
#include "limits/sem.h"

#include <curl/curl.h>

struct sl_task;
struct sl_ctx;
struct sl_origin;

/* The limits of a context. */
struct sl_admission {
  struct sl_sem sem;            /* global concurrency cap */
  struct sl_hosts hosts;        /* per host: slots, rate, pause */
  bool hosts_ready;             /* hosts needs freeing */
  struct sl_bucket global_rate; /* when has_rate */
  bool has_rate;
  struct sl_byterate bw; /* bandwidth over all transfers, when has_bw */
  bool has_bw;
  struct sl_retry retry;     /* max_attempts 1: no retries */
  enum sl_politeness key_by; /* what hosts are keyed on (polite.c) */
};

/* The limits of o (cap: the global concurrency).  0, or -1 with errno
   EINVAL (a bad rate) or ENOMEM. */
int sl__admission_init(struct sl_admission *a, const struct sl_options *o,
                       unsigned cap, uint64_t seed);
void sl__admission_free(struct sl_admission *a);

/* Readies a new task's timers and waiter (before anything can cancel
   it). */
void sl__admit_init(struct sl_task *t);

/* A NEW task starts its way: its URL, its host, its deadline, its name,
   then the limits. */
void sl__admit(struct sl_task *t);

/* After its robots.txt (robotsfetch.c): t goes on to its name, then the
   limits. */
void sl__admit_name(struct sl_task *t);

/* A live task is cancelled: it leaves whatever queue or timer it waits
   on, or its transfer is stopped. */
void sl__admit_cancel(struct sl_task *t);

/* A task became final: slots, its host and its name are given back. */
void sl__admit_release(struct sl_task *t);

/* After a redirect (redirect.c): what t held for its last host is given
   back and it takes the way again for its next URL. */
void sl__admit_redirect(struct sl_task *t);

/* polite.c: t's politeness key from its host name and resolved address
   (into t->key), and its entry of the host table taken.  false when
   memory ran out. */
bool sl__polite_take_host(struct sl_task *t);

/* polite.c: robots.txt's Crawl-delay (ns) for t's key, unless its
   limits are as strict: one transfer at a time, delay between starts,
   counting one start now (the robots.txt request). */
void sl__polite_crawl_delay(struct sl_task *t, int64_t delay);

/* polite.c's sl_host_limits_set: a host's slots changed, and the waiters
   the first of which is w are admitted: they go on their way. */
void sl__admit_host_slots(struct sl_sem_waiter *w, struct sl_host *h);

/* The waiters of o's gate the first of which is w passed it (it opened,
   or a permit was handed on): they go on their way. */
void sl__admit_gate_passed(struct sl_sem_waiter *w, struct sl_origin *o);

/* After a try (outcome.c): pauses t's host for delay (ns) from now. */
void sl__admit_pause_host(struct sl_task *t, int64_t delay);

/* After a try: t waits delay (ns) in BACKOFF, then takes the way again.
   false when its deadline cannot be armed (out of memory). */
bool sl__admit_retry(struct sl_task *t, int64_t delay);

/* The loop's hook for a transfer curl finished (outcome.c). */
void sl__outcome(struct sl_ctx *ctx, CURL *easy, CURLcode rc);

/* t's running transfer reached its end (its deadline or its try timeout)
   at now on the timer heap: it stops, and the timeout goes the way of
   curl's own (a retry, or the end). */
void sl__outcome_expired(struct sl_task *t, int64_t now);

/* An HTTP-date to Unix seconds with libcurl's curl_getdate(), for the
   retry policy's parse_date: true, or false when s is not one. */
bool sl__http_date(const char *s, int64_t *unix_s);

#endif
