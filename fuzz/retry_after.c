/*
 * retry_after.c - fuzzes Retry-After (limits/retry.c
 * sl_retry_after_parse, with the fetcher's HTTP-date parser sl__http_date,
 * libcurl's curl_getdate) and the retry decision that uses it: no crash
 * or undefined behaviour (overflow included) for any value at any wall
 * clock; a delay accepted is within 0..SL_RETRY_AFTER_MAX; a value
 * refused leaves *delay alone; a retry granted waits 0 or more and ends
 * before the deadline.
 *
 * Input: 8 bytes of wall clock (ns), 1 byte of status, the value.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fetcher/admit.h"
#include "limits/retry.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  static const int statuses[] = {429, 503, 500, 408, 200};
  struct sl_retry p;
  struct sl_retry_outcome o = {0};
  int64_t wall, delay = -7, d2 = -7;
  char *v;
  bool ok;

  if(size < 9)
    return 0;
  memcpy(&wall, data, 8);
  if(wall < 0)
    wall = -(wall + 1); /* a clock before 1970 is not ours to judge */
  v = malloc(size - 9 + 1);
  if(!v)
    return 0;
  memcpy(v, data + 9, size - 9);
  v[size - 9] = '\0';
  sl_retry_init(&p, 1);
  p.parse_date = sl__http_date;
  ok = sl_retry_after_parse(&p, v, wall, &delay);
  if(ok && (delay < 0 || delay > SL_RETRY_AFTER_MAX))
    abort();
  if(!ok && delay != -7)
    abort();

  o.status = statuses[data[8] % 5];
  o.retry_after = v;
  o.tries = 1 + data[8] / 5 % 4;
  o.deadline = data[8] & 0x80 ? SL_NS_NEVER : (int64_t)data[8] * SL_NS_PER_SEC;
  if(sl_retry_decide(&p, &o, 0, wall, &d2) == SL_RETRY_YES &&
     (d2 < 0 || (o.deadline != SL_NS_NEVER && d2 >= o.deadline)))
    abort();
  free(v);
  return 0;
}
