/*
 * record.c - JSON formatting of result records.  The fields and their
 * order are the schema the README and sluice(1) describe; fields are only
 * ever added at the end, before the closing brace.
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

/* Appends "KEY":"s", or "KEY":null when s is NULL; key is the literal
   text ,"KEY": (its length klen). */
static int put_field(struct sl_buf *b, const char *key, size_t klen,
                     const char *s)
{
  sl_buf_put(b, key, klen);
  if(!s) {
    PUTLIT(b, "null");
    return 0;
  }
  return put_string(b, s, strlen(s));
}

#define PUTFIELD(b, key, s) put_field((b), (key), sizeof(key) - 1, (s))

/* Appends ms with one decimal when it is a time (0 <= ms < 1e15), else
   null (the caller reserved 22 bytes). */
static void put_time(struct sl_buf *b, double ms)
{
  if(isfinite(ms) && ms >= 0 && ms < 1e15) {
    put_ms(b, ms);
  } else {
    PUTLIT(b, "null");
  }
}

/* Appends ,"final_url": - the escaped url again (at b[url_at..url_end))
   when it is the same, as it is without redirects. */
static int put_final_url(struct sl_buf *b, const struct record *r,
                         size_t url_at, size_t url_end)
{
  const char *f = r->final_url;
  if(f && strlen(f) == r->url_len && !memcmp(f, r->url, r->url_len)) {
    size_t n = url_end - url_at;
    PUTLIT(b, ",\"final_url\":");
    if(sl_buf_reserve(b, n + RECORD_ROOM)) {
      return -1;
    }
    sl_buf_put(b, b->p + url_at, n);
    return 0;
  }
  return PUTFIELD(b, ",\"final_url\":", f);
}

/* Appends ,"http_version":"1.1" and the like, or null. */
static void put_version(struct sl_buf *b, int v)
{
  static const char *const quoted[31] = {
      [10] = "\"1.0\"", [11] = "\"1.1\"", [20] = "\"2\"", [30] = "\"3\""};
  const char *q = v >= 0 && v <= 30 ? quoted[v] : NULL;
  PUTLIT(b, ",\"http_version\":");
  if(q) {
    sl_buf_put(b, q, strlen(q));
  } else {
    PUTLIT(b, "null");
  }
}

/* Appends ,"timing":{...} or ,"timing":null (RECORD_ROOM reserved). */
static void put_timing(struct sl_buf *b, const struct record *r)
{
#define KEY(s)                                                                \
  {                                                                           \
    s, sizeof(s) - 1                                                          \
  }
  static const struct {
    const char *s;
    size_t n;
  } keys[] = {KEY(",\"timing\":{\"queued\":"),
              KEY(",\"dns\":"),
              KEY(",\"connect\":"),
              KEY(",\"tls\":"),
              KEY(",\"ttfb\":"),
              KEY(",\"total\":")};
#undef KEY
  const struct record_timing *t = &r->timing;
  const double times[] = {t->queued, t->dns,  t->connect,
                          t->tls,    t->ttfb, t->total};
  if(!r->has_timing) {
    PUTLIT(b, ",\"timing\":null");
    return;
  }
  for(size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
    sl_buf_put(b, keys[i].s, keys[i].n);
    put_time(b, times[i]);
  }
  PUTLIT(b, "}");
}

/* The fields after "error", and the record's end; the url's escaped form
   is b[url_at..url_end). */
static int put_details(struct sl_buf *b, const struct record *r, size_t url_at,
                       size_t url_end)
{
  /* from here to the timing, at most 6 keys, 5 nulls and one number
     between two reservations */
  if(sl_buf_reserve(b, RECORD_ROOM) || put_final_url(b, r, url_at, url_end) ||
     PUTFIELD(b, ",\"content_type\":", r->content_type)) {
    return -1;
  }
  PUTLIT(b, ",\"redirects\":");
  put_long(b, r->redirects);
  put_version(b, r->http_version);
  if(PUTFIELD(b, ",\"ip\":", r->ip) || PUTFIELD(b, ",\"file\":", r->file) ||
     sl_buf_reserve(b, RECORD_ROOM)) {
    return -1;
  }
  put_timing(b, r);
  PUTLIT(b, "}\n");
  return 0;
}

int record_format(struct sl_buf *b, const struct record *r)
{
  size_t mark = b->len, url_at, url_end;

  if(sl_buf_reserve(b, RECORD_ROOM)) {
    return -1;
  }
  PUTLIT(b, "{\"index\":");
  put_u64(b, r->index);
  PUTLIT(b, ",\"url\":");
  url_at = b->len;
  if(put_string(b, r->url, r->url_len)) {
    goto nomem;
  }
  url_end = b->len;
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
  if(r->has_time) {
    put_time(b, r->time_ms);
  } else {
    PUTLIT(b, "null");
  }
  PUTLIT(b, ",\"attempts\":");
  put_u64(b, r->attempts);
  if(!r->error_kind) {
    PUTLIT(b, ",\"error\":null");
  } else {
    PUTLIT(b, ",\"error\":{\"kind\":");
    if(put_string(b, r->error_kind, strlen(r->error_kind))) {
      goto nomem;
    }
    PUTLIT(b, ",\"message\":");
    if(put_string(b, r->error_msg, r->error_msg ? strlen(r->error_msg) : 0)) {
      goto nomem;
    }
    PUTLIT(b, "}");
  }
  if(put_details(b, r, url_at, url_end)) {
    goto nomem;
  }
  sl_buf_terminate(b);
  return 0;
nomem:
  sl_buf_truncate(b, mark);
  return -1;
}
