/*
 * rate.h - a rate as an exact fraction ("count per period"), and the
 * parser for the command line's "N/s", "N/m", "N/h" strings.
 *
 * A rate is kept as two integers, never as a double, so "3/s" or
 * "0.7/h" lose nothing: the token bucket (bucket.h) spaces tokens by
 * period/count nanoseconds exactly, carrying the remainder.
 */
#ifndef SL_LIMITS_RATE_H
#define SL_LIMITS_RATE_H

#include <stdbool.h>
#include <stdint.h>

struct sl_rate {
  uint64_t count; /* this many events ... */
  int64_t period; /* ... per this many nanoseconds */
};

/* Bounds checked by sl_rate_set() and sl_bucket_init(): the count, and
   the interval between two events (period / count). */
#define SL_RATE_MAX_COUNT    (UINT64_C(1) << 62)
#define SL_RATE_MAX_INTERVAL (INT64_C(1) << 61) /* about 73 years */

/* Sets *r to count per period nanoseconds, reduced to lowest terms.
   Returns false (and leaves *r alone) unless count > 0, period > 0, and
   after reduction count <= MAX_COUNT and period / count <= MAX_INTERVAL. */
bool sl_rate_set(struct sl_rate *r, uint64_t count, int64_t period);

/* Parses "N/s", "N/m" or "N/h", where N is a positive integer or decimal
   with at most 6 decimals ("100/s", "600/m", "0.5/s").  Nothing else is
   accepted: no sign, no spaces, no exponent.  On error returns false,
   leaves *r alone and sets *why (when not NULL) to a static message fit
   for the command line ("rate must look like ..."). */
bool sl_rate_parse(const char *s, struct sl_rate *r, const char **why);

#endif
