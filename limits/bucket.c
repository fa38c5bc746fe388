/*
 * bucket.c - token bucket as GCRA on exact fractional nanoseconds.
 * See bucket.h.
 */
#include "limits/bucket.h"

#include <stddef.h>

/* a + b, both with fractions below n */
static struct sl_bucket_time add(struct sl_bucket_time a,
                                 struct sl_bucket_time b, uint64_t n)
{
  a.ns += b.ns;
  a.frac += b.frac; /* < 2n <= 2^63 */
  if(a.frac >= n) {
    a.frac -= n;
    a.ns++;
  }
  return a;
}

/* The smallest whole nanosecond >= t */
static int64_t ceil_ns(struct sl_bucket_time t)
{
  return t.ns + (t.frac ? 1 : 0);
}

/* tat - now <= tolerance: a token is available */
static bool ready(const struct sl_bucket *b, int64_t now)
{
  int64_t d = b->tat.ns - now;
  return d < b->tolerance.ns ||
         (d == b->tolerance.ns && b->tat.frac <= b->tolerance.frac);
}

/* Brings the bucket to `now`.  A backward jump moves tat back by as much,
   as if no time had passed.  A tat further in the past than the catch-up
   window (half an interval, or SL_BUCKET_SLACK when that is longer) is
   moved up to now (the bucket is full and may not save up more); one
   within it is kept, fraction included, so a taker that woke late does
   not shift every later token. */
static void catch_up(struct sl_bucket *b, int64_t now)
{
  int64_t half = b->interval.ns / 2;
  int64_t window = half > SL_BUCKET_SLACK ? half : SL_BUCKET_SLACK;
  if(now < b->last)
    b->tat.ns -= b->last - now;
  b->last = now;
  if(ceil_ns(b->tat) + window < now) {
    b->tat.ns = now;
    b->tat.frac = 0;
  }
}

bool sl_bucket_init(struct sl_bucket *b, const struct sl_rate *rate,
                    unsigned burst, int64_t now)
{
  struct sl_bucket_time t, acc = {0, 0};
  uint64_t n, k;

  if(!rate || !rate->count || rate->count > SL_RATE_MAX_COUNT ||
     rate->period <= 0 ||
     (uint64_t)rate->period / rate->count > (uint64_t)SL_RATE_MAX_INTERVAL)
    return false;
  if(!burst)
    burst = 1;
  n = rate->count;
  t.ns = (int64_t)((uint64_t)rate->period / n);
  t.frac = (uint64_t)rate->period % n;
  /* burst * T, the tolerance plus one interval, must stay within bounds;
     then the doubling below cannot overflow either (<= 2 * burst * T) */
  if((uint64_t)burst > (uint64_t)SL_RATE_MAX_INTERVAL / ((uint64_t)t.ns + 1))
    return false;
  /* tolerance = (burst - 1) * T, exactly, by doubling */
  for(k = burst - 1; k; k >>= 1) {
    if(k & 1)
      acc = add(acc, t, n);
    if(k > 1)
      t = add(t, t, n);
  }
  b->count = n;
  b->burst = burst;
  b->interval.ns = (int64_t)((uint64_t)rate->period / n);
  b->interval.frac = (uint64_t)rate->period % n;
  b->tolerance = acc;
  b->tat.ns = now;
  b->tat.frac = 0;
  b->last = now;
  return true;
}

bool sl_bucket_take(struct sl_bucket *b, int64_t now)
{
  catch_up(b, now);
  if(!ready(b, now))
    return false;
  b->tat = add(b->tat, b->interval, b->count);
  return true;
}

int64_t sl_bucket_next_at(struct sl_bucket *b, int64_t now)
{
  int64_t t;
  catch_up(b, now);
  if(ready(b, now))
    return now;
  /* ceil(tat - tolerance), which is > now */
  t = b->tat.ns - b->tolerance.ns;
  if(b->tat.frac > b->tolerance.frac)
    t++;
  return t;
}

int64_t sl_bucket_full_at(struct sl_bucket *b, int64_t now)
{
  int64_t t;
  catch_up(b, now);
  t = ceil_ns(b->tat);
  return t > now ? t : now;
}
