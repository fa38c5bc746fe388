/*
 * hist.c - log-linear histogram.  See hist.h.
 *
 * A value v below 2^SUB_BITS has a bucket of its own (exact).  Above, its
 * leading bit picks the power of two and the next SUB_BITS bits pick one
 * of 2^SUB_BITS equal slices of it, so a bucket is at most 1/2^SUB_BITS
 * of its values wide.
 */
#include "base/hist.h"

#include <string.h>

#define SUB (1u << SL_HIST_SUB_BITS)

static unsigned bit_len(uint64_t v)
{
  return v ? 64u - (unsigned)__builtin_clzll(v) : 0u;
}

static size_t index_of(uint64_t v)
{
  unsigned n = bit_len(v), shift;
  size_t i;
  if(n <= SL_HIST_SUB_BITS)
    return (size_t)v;
  shift = n - SL_HIST_SUB_BITS - 1;
  /* (n - SUB_BITS) powers above the exact ones, SUB slices each */
  i = ((size_t)(n - SL_HIST_SUB_BITS) << SL_HIST_SUB_BITS) +
      (size_t)((v >> shift) & (SUB - 1));
  return i < SL_HIST_BUCKETS ? i : SL_HIST_BUCKETS - 1;
}

/* The largest value of bucket i. */
static uint64_t top_of(size_t i)
{
  unsigned p = (unsigned)(i >> SL_HIST_SUB_BITS), shift;
  uint64_t slice = i & (SUB - 1);
  if(!p)
    return slice;
  shift = p - 1;
  return ((SUB + slice + 1) << shift) - 1;
}

void sl_hist_init(struct sl_hist *h)
{
  memset(h, 0, sizeof(*h));
  h->min = UINT64_MAX;
}

void sl_hist_add(struct sl_hist *h, uint64_t v)
{
  h->bucket[index_of(v)]++;
  h->count++;
  h->sum = h->sum + v < h->sum ? UINT64_MAX : h->sum + v;
  if(v < h->min)
    h->min = v;
  if(v > h->max)
    h->max = v;
}

uint64_t sl_hist_quantile(const struct sl_hist *h, double q)
{
  uint64_t want, seen = 0, v;
  if(!h->count)
    return 0;
  q = q < 0 ? 0 : q > 1 ? 1 : q;
  want = (uint64_t)(q * (double)h->count);
  if((double)want < q * (double)h->count || !want)
    want++; /* ceil, and at least the first */
  for(size_t i = 0; i < SL_HIST_BUCKETS; i++) {
    seen += h->bucket[i];
    if(seen >= want) {
      /* the last bucket holds everything above too: max is its top */
      v = i == SL_HIST_BUCKETS - 1 ? h->max : top_of(i);
      return v > h->max ? h->max : v < h->min ? h->min : v;
    }
  }
  return h->max;
}
