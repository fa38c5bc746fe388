/*
 * rate.c - exact rates and the "N/s" parser.  See rate.h.
 */
#include "limits/rate.h"

#include "limits/ns.h"

#include <stddef.h>

#define MAX_DECIMALS 6
#define MAX_INTEGER  UINT64_C(1000000000) /* 1e9 per unit is plenty */

static uint64_t gcd(uint64_t a, uint64_t b)
{
  while(b) {
    uint64_t t = a % b;
    a = b;
    b = t;
  }
  return a;
}

bool sl_rate_set(struct sl_rate *r, uint64_t count, int64_t period)
{
  uint64_t g;
  if(!count || period <= 0)
    return false;
  g = gcd(count, (uint64_t)period);
  count /= g;
  period /= (int64_t)g;
  if(count > SL_RATE_MAX_COUNT ||
     (uint64_t)period / count > (uint64_t)SL_RATE_MAX_INTERVAL)
    return false;
  r->count = count;
  r->period = period;
  return true;
}

static bool is_digit(char c)
{
  return c >= '0' && c <= '9';
}

bool sl_rate_parse(const char *s, struct sl_rate *r, const char **why)
{
  static const char syntax[] =
      "rate must look like N/s, N/m or N/h (for example 100/s or 0.5/s)";
  uint64_t n = 0, scale = 1;
  int64_t unit, period;
  int decimals = 0;
  const char *p = s;
  const char *msg = syntax;

  if(!s || !*s) {
    msg = "rate is empty (expected N/s, N/m or N/h)";
    goto fail;
  }
  if(!is_digit(*p))
    goto fail;
  for(; is_digit(*p); p++) {
    n = n * 10 + (uint64_t)(*p - '0');
    if(n > MAX_INTEGER) {
      msg = "rate is too large (at most 1000000000 per unit)";
      goto fail;
    }
  }
  if(*p == '.') {
    p++;
    if(!is_digit(*p))
      goto fail;
    for(; is_digit(*p); p++) {
      if(++decimals > MAX_DECIMALS) {
        msg = "rate has too many decimals (at most 6)";
        goto fail;
      }
      n = n * 10 + (uint64_t)(*p - '0');
      scale *= 10;
    }
  }
  if(*p++ != '/')
    goto fail;
  switch(*p++) {
    case 's':
      unit = 1;
      break;
    case 'm':
      unit = 60;
      break;
    case 'h':
      unit = 3600;
      break;
    default:
      goto fail;
  }
  if(*p)
    goto fail;
  if(!n) {
    msg = "rate must be greater than zero";
    goto fail;
  }
  /* n <= 1e15 and period <= 3600e9 * 1e6 < 2^63: both fit */
  period = unit * SL_NS_PER_SEC * (int64_t)scale;
  if(!sl_rate_set(r, n, period)) {
    msg = "rate is out of range";
    goto fail;
  }
  return true;

fail:
  if(why)
    *why = msg;
  return false;
}
