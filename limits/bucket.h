/*
 * bucket.h - token bucket (GCRA) for request rates.
 *
 * Pure policy: no clock, no loop, no allocation.  The caller passes the
 * time (`now`, int64_t nanoseconds, see ns.h) to every call.
 *
 * The bucket is the Generic Cell Rate Algorithm: it keeps one
 * "theoretical arrival time" (tat) instead of a token count.  A request
 * at `now` is admitted when tat - now <= (burst - 1) * T, where T =
 * period / count is the interval between tokens; admitting it adds T to
 * max(tat, now).  T need not be a whole number of nanoseconds: tat
 * carries the fraction exactly (in units of 1/count ns), so the k-th
 * token of a steady run is available at exactly start + ceil(k * T) and
 * no error builds up however long the run.
 *
 * A fresh bucket is full: it admits `burst` requests at once, then one
 * every T.  In any closed window of W nanoseconds it admits fewer than
 * burst + (W + 1) / T requests (the 1 ns is the rounding of
 * fractional times up to whole nanoseconds): for W = 1 s and a rate of
 * R per second that is at most R + burst, R rounded down.
 *
 * Late takers: a caller woken by a timer is late by up to a few
 * milliseconds (libev's epoll waits in whole milliseconds).  So that the
 * rate is still exact over a run, a tat up to half an interval in the
 * past, or up to SL_BUCKET_SLACK when that is longer, is kept rather
 * than moved up to now: the tokens due while the taker slept are still
 * there.  Below 500 per second (T >= 4 ms) this only keeps the
 * schedule: two requests are never less than T / 2 apart, and the
 * window bound above holds with T / 2 to spare for the way to the
 * server (a window of one whole interval let 52 of a 50/s run into one
 * second).  Above, after a late wake-up up to SL_BUCKET_SLACK / T
 * requests go at once, so the bound gains SL_BUCKET_SLACK / T.  Without
 * it a rate of 2000/s ran at 820/s (each wake-up 1 ms late lost its
 * tokens).  A longer stall (the process descheduled) loses its tokens:
 * a polite rate never sends a backlog.
 *
 * Clock jumps: forward, the bucket refills but never beyond `burst`;
 * backward (now smaller than at the previous call), the bucket keeps its
 * state relative to the new time, as if no time had passed, so a jump
 * back neither frees a burst nor makes the caller wait for the jump.
 */
#ifndef SL_LIMITS_BUCKET_H
#define SL_LIMITS_BUCKET_H

#include <stdbool.h>
#include <stdint.h>

#include "limits/rate.h"

/* The shortest catch-up window: how late a taker of a fast rate may be
   and keep its token. */
#define SL_BUCKET_SLACK 2000000 /* ns: 2 ms */

/* A time with a fraction: ns + frac / count nanoseconds. */
struct sl_bucket_time {
  int64_t ns;
  uint64_t frac; /* 0 <= frac < the bucket's count */
};

struct sl_bucket {
  uint64_t count;                  /* the rate's count: the fraction unit */
  unsigned burst;                  /* tokens when full */
  struct sl_bucket_time interval;  /* T = period / count */
  struct sl_bucket_time tolerance; /* (burst - 1) * T */
  struct sl_bucket_time tat;       /* theoretical arrival time */
  int64_t last;                    /* the latest `now` seen */
};

/* Sets up a full bucket for `rate` (from sl_rate_set or sl_rate_parse)
   holding at most `burst` tokens (0 means 1: even spacing).  Returns
   false when the rate is invalid or (burst - 1) * T + T exceeds
   SL_RATE_MAX_INTERVAL; the bucket is then unusable. */
bool sl_bucket_init(struct sl_bucket *b, const struct sl_rate *rate,
                    unsigned burst, int64_t now);

/* Consumes one token if one is available at `now`. */
bool sl_bucket_take(struct sl_bucket *b, int64_t now);

/* The earliest time, >= now, at which sl_bucket_take() will succeed:
   `now` itself when a token is available.  Consumes nothing, so it
   doubles as a "would take succeed" test: next_at(b, now) == now.  (It
   updates the bucket's notion of the clock, hence not const.) */
int64_t sl_bucket_next_at(struct sl_bucket *b, int64_t now);

/* The earliest time, >= now, at which the bucket is full again, i.e.
   indistinguishable from a fresh one (the host table frees idle hosts
   only then, so forgetting a host never forgives its rate). */
int64_t sl_bucket_full_at(struct sl_bucket *b, int64_t now);

#endif
