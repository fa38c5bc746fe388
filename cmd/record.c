/*
 * record.c - JSON formatting of result records.
 *
 * Records are built in one buffer with direct byte appends, numbers digit
 * by digit (no stdio, no printf: vsnprintf was 6 % of sluice's
 * instructions): at tens of thousands of records a second the formatting
 * must cost less than the fetching.  Strings come from the network and from
 * arbitrary input files, so escaping is strict: the output is always valid
 * JSON and valid UTF-8 whatever the bytes were.
 */
#include "record.h"

#include <inttypes.h>
#include <math.h>
#include <string.h>

#include "base/json.h"

#define PUTLIT(b, lit) sl_buf_put((b), (lit), sizeof(lit) - 1)

/* Every fixed part and number between two strings fits in this: reserved
   once, then appended without checks. */
#define RECORD_ROOM 256

/* Decimal digits of v, written backwards from end; returns the start. */
static char *digits(char *end, uint64_t v)
{
  do {
    *--end = (char)('0' + v % 10);
    v /= 10;
  } while(v);
  return end;
}

/* Appends an unsigned number (the caller reserved 20 bytes). */
static void put_u64(struct sl_buf *b, uint64_t v)
{
  char tmp[20], *p = digits(tmp + sizeof(tmp), v);
  sl_buf_put(b, p, (size_t)(tmp + sizeof(tmp) - p));
}

/* Appends a signed number (21 bytes reserved). */
static void put_long(struct sl_buf *b, long v)
{
  if(v < 0) {
    sl_buf_put(b, "-", 1);
    put_u64(b, (uint64_t)0 - (uint64_t)v);
  } else {
    put_u64(b, (uint64_t)v);
  }
}

/* Appends ms >= 0 with one decimal, rounded half away from zero (the
   caller checked 0 <= ms < 1e15 and reserved 22 bytes). */
static void put_ms(struct sl_buf *b, double ms)
{
  uint64_t tenths = (uint64_t)(ms * 10.0 + 0.5);
  char tmp[24], *end = tmp + sizeof(tmp), *p;
  *--end = (char)('0' + tenths % 10);
  *--end = '.';
  p = digits(end, tenths / 10);
  sl_buf_put(b, p, (size_t)(tmp + sizeof(tmp) - p));
}

/* Appends s[0..len) as a JSON string and reserves the room of the fixed
   parts after it. */
static int put_string(struct sl_buf *b, const char *s, size_t len)
{
  if(sl_json_string(b, s ? s : "", s ? len : 0)) {
    return -1;
  }
  return sl_buf_reserve(b, RECORD_ROOM);
}

int record_format(struct sl_buf *b, const struct record *r)
{
  size_t mark = b->len;

  if(sl_buf_reserve(b, RECORD_ROOM)) {
    return -1;
  }
  PUTLIT(b, "{\"index\":");
  put_u64(b, r->index);
  PUTLIT(b, ",\"url\":");
  if(put_string(b, r->url, r->url_len)) {
    goto nomem;
  }
  PUTLIT(b, ",\"status\":");
  if(r->has_status) {
    put_long(b, r->status);
  } else {
    PUTLIT(b, "null");
  }
  if(r->ok) {
    PUTLIT(b, ",\"ok\":true,\"bytes\":");
  } else {
    PUTLIT(b, ",\"ok\":false,\"bytes\":");
  }
  put_u64(b, r->bytes);
  PUTLIT(b, ",\"time_ms\":");
  if(r->has_time && isfinite(r->time_ms) && r->time_ms >= 0 &&
     r->time_ms < 1e15) {
    put_ms(b, r->time_ms);
  } else {
    PUTLIT(b, "null");
  }
  PUTLIT(b, ",\"attempts\":");
  put_u64(b, r->attempts);
  if(!r->error_kind) {
    PUTLIT(b, ",\"error\":null}\n");
  } else {
    PUTLIT(b, ",\"error\":{\"kind\":");
    if(put_string(b, r->error_kind, strlen(r->error_kind))) {
      goto nomem;
    }
    PUTLIT(b, ",\"message\":");
    if(put_string(b, r->error_msg, r->error_msg ? strlen(r->error_msg) : 0)) {
      goto nomem;
    }
    PUTLIT(b, "}}\n");
  }
  sl_buf_terminate(b);
  return 0;
nomem:
  sl_buf_truncate(b, mark);
  return -1;
}
