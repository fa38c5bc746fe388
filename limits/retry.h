/*
 * retry.h - when to retry a failed try, and after how long.
 *
 * Pure policy: no clock (times are int64_t ns passed in, see ns.h), no
 * I/O, and the randomness comes from the policy (a callback, or a seeded
 * built-in generator), so a test sees the same delays every run.
 *
 * Retryable: connect errors, timeouts, and HTTP 408, 429, 500, 502, 503,
 * 504; by default only for the idempotent methods GET, HEAD, PUT,
 * DELETE, OPTIONS, TRACE.  The wait is exponential backoff with full
 * jitter: uniform in [0, min(cap, base * 2^(tries - 1))], so the first
 * retry waits up to `base`, the second up to 2 * base, ...  A
 * Retry-After header (seconds or an HTTP-date) replaces the backoff.
 * Retries are bounded by max_attempts and by the task's deadline: no
 * retry is granted whose wait would end at or after the deadline.
 */
#ifndef SL_LIMITS_RETRY_H
#define SL_LIMITS_RETRY_H

#include <stdbool.h>
#include <stdint.h>

#include "limits/ns.h"

/* How a try failed, as the caller classifies it. */
enum sl_retry_fail {
  SL_RETRY_FAIL_NONE,    /* a response arrived: its status decides */
  SL_RETRY_FAIL_CONNECT, /* no connection (refused, unreachable, reset) */
  SL_RETRY_FAIL_TIMEOUT, /* connect or transfer timeout of this try */
  SL_RETRY_FAIL_OTHER    /* anything else (DNS, TLS, ...): final */
};

enum sl_retry_verdict {
  SL_RETRY_YES,       /* retry after *delay */
  SL_RETRY_NO,        /* the outcome is final (2xx, 404, TLS, ...) */
  SL_RETRY_UNSAFE,    /* retryable, but the method is not idempotent */
  SL_RETRY_EXHAUSTED, /* max_attempts tries made */
  SL_RETRY_DEADLINE,  /* the wait would end at or after the deadline */
  SL_RETRY_TOO_LONG   /* Retry-After asks more than max_retry_after */
};

struct sl_retry {
  unsigned max_attempts;   /* tries in all, the first one included */
  int64_t base;            /* ns: the first retry waits up to this */
  int64_t cap;             /* ns: no backoff wait exceeds this */
  int64_t max_retry_after; /* ns: a longer Retry-After gives up */
  bool allow_unsafe;       /* retry POST, PATCH, ... as well */
  /* An HTTP-date (RFC 9110 5.6.7: IMF-fixdate, RFC 850, asctime) to
     Unix seconds: true, or false when s is not one.  The caller's
     (libcurl's curl_getdate in the fetcher); NULL: dates are not
     understood, only delta-seconds. */
  bool (*parse_date)(const char *s, int64_t *unix_s);
  /* uniform 64-bit random numbers; NULL: splitmix64 over `seed` */
  uint64_t (*rand)(void *ud);
  void *rand_ud;
  uint64_t seed; /* the built-in generator's state */
};

/* One failed try, as sl_retry_decide() needs to judge it. */
struct sl_retry_outcome {
  const char *method; /* as sent, case-sensitive; NULL: GET */
  enum sl_retry_fail fail;
  int status;              /* when fail is NONE */
  const char *retry_after; /* the Retry-After header's value, or NULL */
  unsigned tries;          /* tries made so far, this one included */
  int64_t deadline;        /* the task's deadline, or SL_NS_NEVER */
};

#define SL_RETRY_DEFAULT_ATTEMPTS 3
#define SL_RETRY_DEFAULT_BASE     (500 * SL_NS_PER_MS)
#define SL_RETRY_DEFAULT_CAP      (30 * SL_NS_PER_SEC)
#define SL_RETRY_DEFAULT_MAX_RA   (300 * SL_NS_PER_SEC)

/* Defaults: 3 attempts, base 500 ms, cap 30 s, Retry-After up to 300 s,
   idempotent methods only, the built-in generator seeded with seed. */
void sl_retry_init(struct sl_retry *p, uint64_t seed);

/* Judges a failed try at `now` (the clock of deadline).  On SL_RETRY_YES
   sets *delay (ns, >= 0): start the next try at now + *delay.  A usable
   Retry-After sets the delay; otherwise a random backoff does (one
   random number drawn).  wall_now is the wall clock as Unix time in ns,
   used only to turn a Retry-After date into a delay. */
enum sl_retry_verdict sl_retry_decide(struct sl_retry *p,
                                      const struct sl_retry_outcome *o,
                                      int64_t now, int64_t wall_now,
                                      int64_t *delay);

/* 408, 429, 500, 502, 503, 504 */
bool sl_retry_status_retryable(int status);

/* GET, HEAD, PUT, DELETE, OPTIONS, TRACE (and NULL, meaning GET) */
bool sl_retry_method_idempotent(const char *method);

/* min(cap, base * 2^(tries - 1)); 0 when tries is 0 */
int64_t sl_retry_backoff_max(const struct sl_retry *p, unsigned tries);

/* A random wait, uniform in [0, sl_retry_backoff_max(p, tries)]. */
int64_t sl_retry_backoff(struct sl_retry *p, unsigned tries);

/* Parses a Retry-After value: delta-seconds ("120") or an HTTP-date (with
   p->parse_date).  Sets *delay to the wait in ns from wall_now (Unix
   time, ns), 0 for a date in the past, at most SL_RETRY_AFTER_MAX.
   Returns false, leaving *delay alone, when the value is neither. */
#define SL_RETRY_AFTER_MAX (INT64_C(1000000000) * SL_NS_PER_SEC) /* 31 y */
bool sl_retry_after_parse(const struct sl_retry *p, const char *value,
                          int64_t wall_now, int64_t *delay);

/* "retry", "not retryable", "attempts exhausted", ... for messages */
const char *sl_retry_verdict_name(enum sl_retry_verdict v);

#endif
