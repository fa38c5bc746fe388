/*
 * hist.h - a latency histogram in constant memory: log-linear buckets
 * (as HdrHistogram's), so any quantile of any number of values comes out
 * within 1 % of the true value, from 1 to 2^47 units (with microseconds:
 * over 4 years), in 42 KiB whatever the count.  The command
 * line's summary takes its p50 / p90 / p99 from one.
 */
#ifndef SL_BASE_HIST_H
#define SL_BASE_HIST_H

#include <stdint.h>

#define SL_HIST_SUB_BITS 7 /* 128 buckets per power of two: < 0.8 % */
#define SL_HIST_MAX_BITS 40
#define SL_HIST_BUCKETS  ((SL_HIST_MAX_BITS + 1) << SL_HIST_SUB_BITS)

struct sl_hist {
  uint64_t count;
  uint64_t min, max; /* exact; min is UINT64_MAX while empty */
  uint64_t sum;      /* saturates */
  uint64_t bucket[SL_HIST_BUCKETS];
};

void sl_hist_init(struct sl_hist *h);

/* Counts one value; values from 2^47 on count in the last bucket (max
   stays exact). */
void sl_hist_add(struct sl_hist *h, uint64_t v);

/* The value at quantile q (0..1, clamped), by nearest rank: the
   ceil(q * count)-th smallest value (the smallest for q 0), as the top
   of its bucket (at most 0.8 % above it), never above max or below min.
   0 when empty. */
uint64_t sl_hist_quantile(const struct sl_hist *h, double q);

#endif
