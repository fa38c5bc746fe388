/*
 * retry.c - retry policy: retryable outcomes, backoff with full jitter,
 * Retry-After, attempt and deadline bounds.  See retry.h.
 */
#include "limits/retry.h"

#include <stddef.h>
#include <string.h>

void sl_retry_init(struct sl_retry *p, uint64_t seed)
{
  memset(p, 0, sizeof(*p));
  p->max_attempts = SL_RETRY_DEFAULT_ATTEMPTS;
  p->base = SL_RETRY_DEFAULT_BASE;
  p->cap = SL_RETRY_DEFAULT_CAP;
  p->max_retry_after = SL_RETRY_DEFAULT_MAX_RA;
  p->seed = seed;
}

bool sl_retry_status_retryable(int status)
{
  switch(status) {
    case 408:
    case 429:
    case 500:
    case 502:
    case 503:
    case 504:
      return true;
    default:
      return false;
  }
}

bool sl_retry_method_idempotent(const char *method)
{
  static const char *const ok[] = {"GET",    "HEAD",    "PUT",
                                   "DELETE", "OPTIONS", "TRACE"};
  size_t i;
  if(!method)
    return true;
  for(i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
    if(!strcmp(method, ok[i]))
      return true;
  }
  return false;
}

/* splitmix64 (Steele, Lea, Flood 2014) */
static uint64_t next_random(struct sl_retry *p)
{
  uint64_t z;
  if(p->rand)
    return p->rand(p->rand_ud);
  z = (p->seed += UINT64_C(0x9e3779b97f4a7c15));
  z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
  z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
  return z ^ (z >> 31);
}

/* floor(a * b / 2^64) without 128-bit integers */
static uint64_t mul_hi(uint64_t a, uint64_t b)
{
  uint64_t alo = a & 0xffffffffu, ahi = a >> 32;
  uint64_t blo = b & 0xffffffffu, bhi = b >> 32;
  uint64_t ll = alo * blo, lh = alo * bhi, hl = ahi * blo, hh = ahi * bhi;
  uint64_t mid = (ll >> 32) + (lh & 0xffffffffu) + (hl & 0xffffffffu);
  return hh + (lh >> 32) + (hl >> 32) + (mid >> 32);
}

int64_t sl_retry_backoff_max(const struct sl_retry *p, unsigned tries)
{
  unsigned shift;
  int64_t cap = p->cap > 0 ? p->cap : 0;
  if(!tries || p->base <= 0)
    return 0;
  shift = tries - 1;
  if(shift >= 62 || p->base > (cap >> shift))
    return cap;
  return p->base << shift;
}

int64_t sl_retry_backoff(struct sl_retry *p, unsigned tries)
{
  uint64_t max = (uint64_t)sl_retry_backoff_max(p, tries);
  /* uniform in [0, max]: the high half of r * (max + 1); max < 2^63 */
  return (int64_t)mul_hi(next_random(p), max + 1);
}

bool sl_retry_after_parse(const struct sl_retry *p, const char *value,
                          int64_t wall_now, int64_t *delay)
{
  const int64_t max_s = SL_RETRY_AFTER_MAX / SL_NS_PER_SEC;
  const char *v = value;
  int64_t secs = 0, date, wall_s;

  if(!value)
    return false;
  while(*v == ' ' || *v == '\t')
    v++;
  if(*v >= '0' && *v <= '9') {
    /* delta-seconds = 1*DIGIT */
    for(; *v >= '0' && *v <= '9'; v++) {
      if(secs < max_s)
        secs = secs * 10 + (*v - '0');
    }
    while(*v == ' ' || *v == '\t')
      v++;
    if(*v)
      return false;
    *delay = (secs < max_s ? secs : max_s) * SL_NS_PER_SEC;
    return true;
  }
  /* floor(wall_now / 1 s) */
  wall_s = wall_now / SL_NS_PER_SEC;
  if(wall_now % SL_NS_PER_SEC < 0)
    wall_s--;
  if(!*v || !p->parse_date || !p->parse_date(v, &date))
    return false;
  if(date <= wall_s)
    *delay = 0; /* in the past (or within this second, already begun) */
  else if(date - wall_s > max_s)
    *delay = SL_RETRY_AFTER_MAX;
  else {
    /* 0 < date - wall_s <= max_s, so this fits */
    int64_t d =
        (date - wall_s) * SL_NS_PER_SEC - (wall_now - wall_s * SL_NS_PER_SEC);
    *delay = d > 0 ? d : 0;
  }
  return true;
}

enum sl_retry_verdict sl_retry_decide(struct sl_retry *p,
                                      const struct sl_retry_outcome *o,
                                      int64_t now, int64_t wall_now,
                                      int64_t *delay)
{
  int64_t d;
  bool retryable;

  switch(o->fail) {
    case SL_RETRY_FAIL_CONNECT:
    case SL_RETRY_FAIL_TIMEOUT:
      retryable = true;
      break;
    case SL_RETRY_FAIL_NONE:
      retryable = sl_retry_status_retryable(o->status);
      break;
    default:
      retryable = false;
      break;
  }
  if(!retryable)
    return SL_RETRY_NO;
  if(!p->allow_unsafe && !sl_retry_method_idempotent(o->method))
    return SL_RETRY_UNSAFE;
  if(o->tries >= p->max_attempts)
    return SL_RETRY_EXHAUSTED;
  if(o->deadline != SL_NS_NEVER && now >= o->deadline)
    return SL_RETRY_DEADLINE; /* before drawing a random number */

  if(o->fail == SL_RETRY_FAIL_NONE &&
     sl_retry_after_parse(p, o->retry_after, wall_now, &d)) {
    if(d > p->max_retry_after)
      return SL_RETRY_TOO_LONG;
  } else
    d = sl_retry_backoff(p, o->tries);

  if(o->deadline != SL_NS_NEVER && d >= o->deadline - now)
    return SL_RETRY_DEADLINE;
  *delay = d;
  return SL_RETRY_YES;
}

const char *sl_retry_verdict_name(enum sl_retry_verdict v)
{
  switch(v) {
    case SL_RETRY_YES:
      return "retry";
    case SL_RETRY_NO:
      return "not retryable";
    case SL_RETRY_UNSAFE:
      return "method not idempotent";
    case SL_RETRY_EXHAUSTED:
      return "attempts exhausted";
    case SL_RETRY_DEADLINE:
      return "deadline too close";
    case SL_RETRY_TOO_LONG:
      return "Retry-After too long";
  }
  return "unknown";
}
