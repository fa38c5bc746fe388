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
#include <stdlib.h>
#include <string.h>

static int reserve(struct recbuf *b, size_t more)
{
  size_t cap;
  char *p;

  if(b->cap - b->len >= more) {
    return 0;
  }
  cap = b->cap ? b->cap : 512;
  while(cap - b->len < more) {
    if(cap > SIZE_MAX / 2) {
      return -1;
    }
    cap *= 2;
  }
  p = realloc(b->data, cap);
  if(!p) {
    return -1;
  }
  b->data = p;
  b->cap = cap;
  return 0;
}

void recbuf_free(struct recbuf *b)
{
  free(b->data);
  b->data = NULL;
  b->len = b->cap = 0;
}

/* Appends without checking room: the caller reserved it. */
static void put(struct recbuf *b, const char *s, size_t n)
{
  memcpy(b->data + b->len, s, n);
  b->len += n;
}

#define PUTLIT(b, lit) put((b), (lit), sizeof(lit) - 1)

/* The length of the valid UTF-8 sequence at s[0..len), or 0 when s does
   not start one (bad lead byte, bad or missing continuation, overlong
   form, surrogate, or above U+10FFFF). */
static size_t utf8_seq(const unsigned char *s, size_t len)
{
  unsigned char c = s[0];
  size_t n;
  unsigned char lo = 0x80, hi = 0xBF; /* allowed range of the 2nd byte */

  if(c >= 0xC2 && c <= 0xDF) {
    n = 2;
  } else if(c >= 0xE0 && c <= 0xEF) {
    n = 3;
    if(c == 0xE0) {
      lo = 0xA0; /* overlong */
    } else if(c == 0xED) {
      hi = 0x9F; /* surrogates */
    }
  } else if(c >= 0xF0 && c <= 0xF4) {
    n = 4;
    if(c == 0xF0) {
      lo = 0x90; /* overlong */
    } else if(c == 0xF4) {
      hi = 0x8F; /* above U+10FFFF */
    }
  } else {
    return 0;
  }
  if(len < n || s[1] < lo || s[1] > hi) {
    return 0;
  }
  for(size_t i = 2; i < n; i++) {
    if((s[i] & 0xC0) != 0x80) {
      return 0;
    }
  }
  return n;
}

int record_json_string(struct recbuf *b, const char *str, size_t len)
{
  static const char hex[] = "0123456789abcdef";
  const unsigned char *s = (const unsigned char *)str;
  size_t i = 0;

  /* worst case: every byte becomes "\ufffd" (6 bytes), plus quotes */
  if(len > (SIZE_MAX - 2) / 6 || reserve(b, len * 6 + 2)) {
    return -1;
  }
  put(b, "\"", 1);
  while(i < len) {
    size_t run = i;

    /* copy the longest run of plain printable ASCII at once */
    while(run < len && s[run] >= 0x20 && s[run] < 0x7F && s[run] != '"' &&
          s[run] != '\\') {
      run++;
    }
    if(run > i) {
      put(b, str + i, run - i);
      i = run;
      continue;
    }
    switch(s[i]) {
      case '"':
        PUTLIT(b, "\\\"");
        break;
      case '\\':
        PUTLIT(b, "\\\\");
        break;
      case '\n':
        PUTLIT(b, "\\n");
        break;
      case '\r':
        PUTLIT(b, "\\r");
        break;
      case '\t':
        PUTLIT(b, "\\t");
        break;
      case '\b':
        PUTLIT(b, "\\b");
        break;
      case '\f':
        PUTLIT(b, "\\f");
        break;
      default:
        if(s[i] < 0x20 || s[i] == 0x7F) {
          char esc[6] = {'\\', 'u', '0', '0', hex[s[i] >> 4], hex[s[i] & 0xF]};
          put(b, esc, sizeof(esc));
        } else {
          size_t n = utf8_seq(s + i, len - i);
          if(n) {
            put(b, str + i, n);
            i += n;
            continue;
          }
          PUTLIT(b, "\\ufffd");
        }
        break;
    }
    i++;
  }
  put(b, "\"", 1);
  return 0;
}

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
static void put_u64(struct recbuf *b, uint64_t v)
{
  char tmp[20], *p = digits(tmp + sizeof(tmp), v);
  put(b, p, (size_t)(tmp + sizeof(tmp) - p));
}

/* Appends a signed number (21 bytes reserved). */
static void put_long(struct recbuf *b, long v)
{
  if(v < 0) {
    put(b, "-", 1);
    put_u64(b, (uint64_t)0 - (uint64_t)v);
  } else {
    put_u64(b, (uint64_t)v);
  }
}

/* Appends ms >= 0 with one decimal, rounded half away from zero (the
   caller checked 0 <= ms < 1e15 and reserved 22 bytes). */
static void put_ms(struct recbuf *b, double ms)
{
  uint64_t tenths = (uint64_t)(ms * 10.0 + 0.5);
  char tmp[24], *end = tmp + sizeof(tmp), *p;
  *--end = (char)('0' + tenths % 10);
  *--end = '.';
  p = digits(end, tenths / 10);
  put(b, p, (size_t)(tmp + sizeof(tmp) - p));
}

int record_format(struct recbuf *b, const struct record *r)
{
  size_t mark = b->len;

  /* every fixed part and number fits in 256 bytes; the strings reserve
     their own room */
  if(reserve(b, 256)) {
    return -1;
  }
  PUTLIT(b, "{\"index\":");
  put_u64(b, r->index);
  PUTLIT(b, ",\"url\":");
  if(record_json_string(b, r->url ? r->url : "", r->url ? r->url_len : 0) ||
     reserve(b, 256)) {
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
    return 0;
  }
  PUTLIT(b, ",\"error\":{\"kind\":");
  if(record_json_string(b, r->error_kind, strlen(r->error_kind)) ||
     reserve(b, 16)) {
    goto nomem;
  }
  PUTLIT(b, ",\"message\":");
  if(record_json_string(b, r->error_msg ? r->error_msg : "",
                        r->error_msg ? strlen(r->error_msg) : 0) ||
     reserve(b, 16)) {
    goto nomem;
  }
  PUTLIT(b, "}}\n");
  return 0;
nomem:
  b->len = mark;
  return -1;
}
