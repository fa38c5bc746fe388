/*
 * rate.c - fuzzes the rate parser (limits/rate.c, "N/s", "N/m", "N/h")
 * and its public check sl_rate_check(): no crash or undefined behaviour;
 * both give the same verdict; a rate accepted is in lowest terms, with a
 * count and an interval the token bucket accepts; a refusal leaves the
 * rate alone and says why.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "limits/bucket.h"
#include "limits/rate.h"
#include "sluice.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  char *s = malloc(size + 1);
  struct sl_rate r = {7, 7}, again;
  struct sl_bucket b;
  const char *why = NULL, *why2 = NULL;
  bool ok;

  if(!s)
    return 0;
  memcpy(s, data, size);
  s[size] = '\0';
  ok = sl_rate_parse(s, &r, &why);
  if(ok != sl_rate_check(s, &why2))
    abort();
  if(ok) {
    /* in lowest terms: reducing it again changes nothing */
    if(!r.count || r.period <= 0 || !sl_rate_set(&again, r.count, r.period) ||
       again.count != r.count || again.period != r.period ||
       r.count > SL_RATE_MAX_COUNT ||
       (uint64_t)r.period / r.count > (uint64_t)SL_RATE_MAX_INTERVAL)
      abort();
    if(!sl_bucket_init(&b, &r, 1, 0))
      abort();
  } else if(r.count != 7 || r.period != 7 || !why || !*why || !why2) {
    abort();
  }
  free(s);
  return 0;
}
